package dev.pledge.intake.rest;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.pledge.events.Channel;
import dev.pledge.events.ContactEvent;
import dev.pledge.events.ContactStatus;
import dev.pledge.events.Priority;
import dev.pledge.intake.Contact;
import java.time.Instant;

/**
 * A contact as the API shows it; a repeated POST answers with the same view as the first.
 * {@code promises} is the number of the last promise made on it (absent when none was).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ContactView(String id, String externalId, ContactEvent.Customer customer, Channel channel,
        String subject, String body, String category, Priority priority, String team, String assignee,
        ContactStatus status, String repeatOf, String classifiedBy, int policyVersion, Instant occurredAt,
        Instant receivedAt, Instant updatedAt, Integer promises) {

    /**
     * The contact without what identifies the customer or what they wrote (name, email, phone, subject,
     * body): for callers who see figures, not people (analysts).
     */
    public static ContactView withoutPersonalData(Contact c) {
        return new ContactView(c.id, c.externalId, new ContactEvent.Customer(c.customerId, null, null, null, c.tier),
                c.channel, null, null, c.category, c.priority, c.team, c.assignee, c.status, c.repeatOf, c.classifiedBy,
                c.policyVersion, c.occurredAt, c.receivedAt, c.updatedAt, c.promises == 0 ? null : c.promises);
    }

    public static ContactView of(Contact c) {
        return new ContactView(c.id, c.externalId, new ContactEvent.Customer(c.customerId, c.customerName,
                c.customerEmail, c.customerPhone, c.tier), c.channel, c.subject, c.body, c.category, c.priority,
                c.team, c.assignee, c.status, c.repeatOf, c.classifiedBy, c.policyVersion, c.occurredAt,
                c.receivedAt, c.updatedAt, c.promises == 0 ? null : c.promises);
    }
}
