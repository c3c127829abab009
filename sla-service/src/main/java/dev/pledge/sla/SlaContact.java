package dev.pledge.sla;

import dev.pledge.events.Channel;
import dev.pledge.events.ContactStatus;
import dev.pledge.events.Priority;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/** What sla-service knows of a contact: the fields its rules match on, and its status. */
@Entity
@Table(name = "sla_contact")
public class SlaContact {
    @Id
    @Column(name = "contact_id")
    public String contactId;
    @Column(name = "kafka_partition")
    public int partition;
    public String channel;
    public String priority;
    public String tier;
    public String category;
    public String team;
    public String status;
    /** When the contact was received (its event time): the period every figure of it counts in (docs/outcomes.md). */
    @Column(name = "received_at")
    public Instant receivedAt;
    /** The front end that sent it (the token subject); null when received before contract 1.2. */
    public String caller;
    /** The policy version its rules are chosen under: its contact.received's, then its latest contact.updated's. */
    @Column(name = "policy_version")
    public int policyVersion;

    public Channel channel() {
        return Channel.of(channel);
    }

    public Priority priority() {
        return Priority.of(priority);
    }

    public ContactStatus status() {
        return ContactStatus.of(status);
    }
}
