package dev.pledge.escalation;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/**
 * An ISO 10002 complaint: its acknowledgement and final-response deadlines (counted in the
 * complaints calendar from when the contact was received) and when each step happened: received,
 * acknowledged (first agent reply), assessed (first reclassification or reassignment, or a move to a
 * waiting status), responded (resolved), closed.
 */
@Entity
@Table(name = "complaint")
public class Complaint {
    @Id
    @Column(name = "contact_id")
    public String contactId;
    public String category;
    public String calendar;
    @Column(name = "policy_version")
    public int policyVersion;
    @Column(name = "received_at")
    public Instant receivedAt;
    @Column(name = "ack_deadline")
    public Instant ackDeadline;
    @Column(name = "final_deadline")
    public Instant finalDeadline;
    @Column(name = "acknowledged_at")
    public Instant acknowledgedAt;
    @Column(name = "assessed_at")
    public Instant assessedAt;
    @Column(name = "responded_at")
    public Instant respondedAt;
    @Column(name = "closed_at")
    public Instant closedAt;
    @Column(name = "ack_missed")
    public boolean ackMissed;
    @Column(name = "final_missed")
    public boolean finalMissed;
    @Column(name = "next_fire_at")
    public Instant nextFireAt;
    /** The broken promise ({@code promise#<n>}) that made it a complaint; null when its category did. */
    public String cause;
    /** When the breach of the promise that made it a complaint was corrected: it is no complaint since. */
    @Column(name = "withdrawn_at")
    public Instant withdrawnAt;

    /** The next deadline still to watch: acknowledgement until acknowledged, then the final response. */
    public void reschedule() {
        if (closedAt != null || respondedAt != null || withdrawnAt != null) {
            nextFireAt = null;
        } else if (acknowledgedAt == null && !ackMissed) {
            nextFireAt = ackDeadline;
        } else if (!finalMissed) {
            nextFireAt = finalDeadline;
        } else {
            nextFireAt = null;
        }
    }
}
