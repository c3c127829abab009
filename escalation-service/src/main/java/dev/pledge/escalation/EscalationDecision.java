package dev.pledge.escalation;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/** One decision about an escalation, for audit: which rule, on which event ({@code ce_id}), under which policy version. */
@Entity
@Table(name = "escalation_decision")
public class EscalationDecision {
    @Id
    @Column(name = "decision_id")
    public UUID decisionId;
    @Column(name = "escalation_id")
    public String escalationId;
    @Column(name = "contact_id")
    public String contactId;
    public Instant at;
    /** raised, level-changed, repeated, acknowledged, resolved. */
    public String kind;
    public String level;
    public String team;
    public String rule;
    @Column(name = "event_id")
    public String eventId;
    @Column(name = "policy_version")
    public int policyVersion;
    public String reason;
}
