package dev.pledge.intake.rest;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.pledge.events.ContactStatus;
import dev.pledge.events.Priority;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/**
 * Something that happened to a contact. {@code agent-replied} (with {@code agentId}),
 * {@code customer-replied}, {@code status-changed} (with {@code status}), or {@code updated}
 * (reassignment and reprioritisation: any of {@code priority}, {@code category}, {@code team},
 * {@code assignee}, {@code tier}), {@code promised} (with {@code what} and {@code due}), {@code promise-kept}
 * (with {@code promise}). An agent reply keeps the promises it lists in {@code keeps}, and no other.
 */
public record Activity(
        @NotNull Type type,
        @Size(max = 200) String agentId,
        ContactStatus status,
        Priority priority,
        @Size(max = 60) String category,
        @Size(max = 60) String team,
        @Size(max = 200) String assignee,
        @Size(max = 60) String tier,
        @Size(max = 500) String what,
        Instant due,
        Integer promise,
        @Size(max = 100) List<Integer> keeps,
        Instant occurredAt) {

    public enum Type {
        AGENT_REPLIED, CUSTOMER_REPLIED, STATUS_CHANGED, UPDATED, PROMISED, PROMISE_KEPT;

        @JsonValue
        public String wire() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }

        @JsonCreator
        public static Type of(String value) {
            for (Type t : values()) {
                if (t.wire().equals(value)) {
                    return t;
                }
            }
            throw new IllegalArgumentException("unknown activity type '" + value
                    + "', expected one of [agent-replied, customer-replied, status-changed, updated, promised, promise-kept]");
        }
    }
}
