package dev.pledge.escalation;

import dev.pledge.events.Channel;
import dev.pledge.events.ContactStatus;
import dev.pledge.events.Priority;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/**
 * What escalation-service knows of a contact: the fields rules match on, its status, how many
 * customer replies wait for an agent, and when something of it is next due. Every change to the
 * contact's escalation or complaint locks this row first.
 */
@Entity
@Table(name = "esc_contact")
public class EscalationContact {
    @Id
    @Column(name = "contact_id")
    public String contactId;
    @Column(name = "kafka_partition")
    public int partition;
    @Column(name = "customer_id")
    public String customerId;
    public String channel;
    public String priority;
    public String tier;
    public String category;
    public String team;
    public String status;
    @Column(name = "customer_replies")
    public int customerReplies;
    @Column(name = "repeat_of")
    public String repeatOf;
    @Column(name = "policy_version")
    public int policyVersion;
    @Column(name = "received_at")
    public Instant receivedAt;
    /** The earliest of its open escalation's and its complaint's next due time; null when nothing is due. */
    @Column(name = "next_fire_at")
    public Instant nextFireAt;

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
