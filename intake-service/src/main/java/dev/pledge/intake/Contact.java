package dev.pledge.intake;

import dev.pledge.events.Channel;
import dev.pledge.events.ContactStatus;
import dev.pledge.events.Priority;
import jakarta.persistence.Column;
import jakarta.persistence.Convert;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import java.time.Instant;

/** A customer contact as intake keeps it: its current state. Its history is on contact-events. */
@Entity
public class Contact {
    @Id
    public String id;
    @Column(name = "external_id")
    public String externalId;
    @Column(name = "idempotency_key")
    public String idempotencyKey;
    /** Who sent it (the token's subject): idempotency keys and external ids are scoped to it. */
    public String caller;
    /** SHA-256 of the request as read, to tell a retry from a reused key. */
    @Column(name = "request_sha256")
    public String requestSha256;
    @Column(name = "customer_id")
    public String customerId;
    @Column(name = "customer_name")
    public String customerName;
    @Column(name = "customer_email")
    public String customerEmail;
    @Column(name = "customer_phone")
    public String customerPhone;
    public String tier;
    @Convert(converter = WireConverters.ChannelConverter.class)
    public Channel channel;
    public String subject;
    public String body;
    public String category;
    @Convert(converter = WireConverters.PriorityConverter.class)
    public Priority priority;
    public String team;
    public String assignee;
    @Convert(converter = WireConverters.StatusConverter.class)
    public ContactStatus status;
    @Column(name = "repeat_of")
    public String repeatOf;
    @Column(name = "classified_by")
    public String classifiedBy;
    @Column(name = "policy_version")
    public int policyVersion;
    @Column(name = "occurred_at")
    public Instant occurredAt;
    @Column(name = "received_at")
    public Instant receivedAt;
    @Column(name = "updated_at")
    public Instant updatedAt;
    /** How many promises agents made on this contact: the last one's number. */
    public int promises;
    /** When its status last changed (event time); null while it has the status it was received with. */
    @Column(name = "status_at")
    public Instant statusAt;

    /** Every field copied: a group of activities applies each to a copy, so one refused leaves no trace. */
    public Contact copy() {
        Contact c = new Contact();
        c.id = id;
        c.externalId = externalId;
        c.idempotencyKey = idempotencyKey;
        c.caller = caller;
        c.requestSha256 = requestSha256;
        c.customerId = customerId;
        c.customerName = customerName;
        c.customerEmail = customerEmail;
        c.customerPhone = customerPhone;
        c.tier = tier;
        c.channel = channel;
        c.subject = subject;
        c.body = body;
        c.category = category;
        c.priority = priority;
        c.team = team;
        c.assignee = assignee;
        c.status = status;
        c.repeatOf = repeatOf;
        c.classifiedBy = classifiedBy;
        c.policyVersion = policyVersion;
        c.occurredAt = occurredAt;
        c.receivedAt = receivedAt;
        c.updatedAt = updatedAt;
        c.promises = promises;
        c.statusAt = statusAt;
        return c;
    }
}
