package dev.pledge.intake.rest;

import dev.pledge.events.Channel;
import dev.pledge.events.Priority;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Email;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.time.Instant;

/**
 * A contact as a front end posts it. {@code category} and {@code priority} are optional: the
 * policy's classification rules fill what is left out. {@code occurredAt} defaults to now.
 */
public record NewContact(
        @NotNull @Valid Customer customer,
        @NotNull Channel channel,
        @Size(max = 500) String subject,
        @NotBlank @Size(max = 60_000) String body,
        Instant occurredAt,
        @Size(max = 60) String category,
        Priority priority,
        @Size(max = 200) String externalId) {

    public record Customer(
            @NotBlank @Size(max = 200) String id,
            @Size(max = 200) String name,
            @Email @Size(max = 320) String email,
            @Pattern(regexp = "(?=.{3,40}$)\\+?[0-9 ()./-]+", message = "must be a phone number such as +44 20 7946 0000, at most 40 characters") String phone,
            @Size(max = 60) String tier) {
    }
}
