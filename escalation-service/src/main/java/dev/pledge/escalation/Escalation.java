package dev.pledge.escalation;

import dev.pledge.outcomes.EscalationStanding;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/**
 * One escalation of a contact: a rung of the ladder ({@link #level}) and/or a specialist team
 * ({@link #team}). Open until acknowledged; acknowledged until resolved or, without progress for the
 * policy's {@code reEscalateAfter}, open again one rung higher. At most one is not resolved per contact.
 */
@Entity
@Table(name = "escalation")
public class Escalation {
    public static final String OPEN = "open";
    public static final String ACKNOWLEDGED = "acknowledged";
    public static final String RESOLVED = "resolved";

    @Id
    @Column(name = "escalation_id")
    public String escalationId;
    @Column(name = "contact_id")
    public String contactId;
    public String level;
    public String team;
    public String state;
    /** The last rule that raised it; null when a deadline moved it last. */
    public String rule;
    public String reason;
    @Column(name = "raised_at")
    public Instant raisedAt;
    /** When the current level or team must acknowledge by; null once acknowledged. */
    @Column(name = "ack_deadline")
    public Instant ackDeadline;
    @Column(name = "acknowledged_at")
    public Instant acknowledgedAt;
    @Column(name = "acknowledged_by")
    public String acknowledgedBy;
    public int climbs;
    public int repeats;
    /** The acknowledgement deadline while open, the re-escalation time while acknowledged; null when nothing is left to fire. */
    @Column(name = "next_fire_at")
    public Instant nextFireAt;
    @Column(name = "policy_version")
    public int policyVersion;
    @Column(name = "updated_at")
    public Instant updatedAt;
    @Column(name = "resolved_at")
    public Instant resolvedAt;
    /**
     * The SLA timer ({@code <metric>#<cycle>}) whose breach alone raised it to where it stands, or null;
     * {@link #beforeLevel} and {@link #beforeTeam} are where it stood before (both null: the breach opened
     * it). A correction of that breach withdraws what it raised.
     */
    public String breach;
    @Column(name = "before_level")
    public String beforeLevel;
    @Column(name = "before_team")
    public String beforeTeam;

    public boolean isOpen() {
        return OPEN.equals(state);
    }

    public boolean isResolved() {
        return RESOLVED.equals(state);
    }

    /** The level, or the team when no level holds it: what the events name as {@code level}. */
    public String levelOrTeam() {
        return level != null ? level : team;
    }

    /** Where it stands, for the ladder's decisions ({@link EscalationStanding}); {@link #stand} writes one back. */
    public EscalationStanding standing() {
        return new EscalationStanding(level, team, rule, breach, beforeLevel, beforeTeam);
    }

    public void stand(EscalationStanding s) {
        level = s.level;
        team = s.team;
        rule = s.rule;
        breach = s.breach;
        beforeLevel = s.beforeLevel;
        beforeTeam = s.beforeTeam;
    }
}
