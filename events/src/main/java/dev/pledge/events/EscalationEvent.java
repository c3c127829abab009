package dev.pledge.events;

import java.time.Instant;
import java.util.List;

/**
 * Events on {@link Topics#ESCALATION_EVENTS}. Produced by escalation-service. Keyed by contact id,
 * except crisis events, keyed by category.
 */
public sealed interface EscalationEvent extends PledgeEvent {

    /**
     * The {@code reason} of a {@code resolved} or {@code level-changed} that withdraws what an SLA breach alone
     * raised, when an {@code sla.met} with {@code correctsBreach} proved the breach wrong (contract 1.2).
     */
    String BREACH_CORRECTED = "breach-corrected";

    int policyVersion();

    /**
     * {@code level} is a rung of the policy's ladder, {@code team} a specialist team (either may be null,
     * not both); {@code trigger} names the rule that fired, {@code triggerEventId} the {@code ce_id} of
     * the event it fired on (null when a deadline fired it).
     */
    record Raised(String escalationId, String contactId, String level, String team, String trigger, String reason,
            Instant ackDeadline, Instant at, int policyVersion, String triggerEventId) implements EscalationEvent {
        @Override
        public String key() {
            return contactId;
        }
    }

    /**
     * Raised further by a rule ({@code trigger}, {@code triggerEventId}), or climbed at an acknowledgement
     * deadline ({@code trigger} null). {@code fromLevel} equals {@code toLevel} when only the specialist
     * {@code team} changed, or when the top level is notified again.
     */
    record LevelChanged(String escalationId, String contactId, String fromLevel, String toLevel, String reason,
            Instant ackDeadline, Instant at, int policyVersion, String team, String trigger, String triggerEventId)
            implements EscalationEvent {
        @Override
        public String key() {
            return contactId;
        }
    }

    record Acknowledged(String escalationId, String contactId, String level, String acknowledgedBy, Instant at,
            int policyVersion) implements EscalationEvent {
        @Override
        public String key() {
            return contactId;
        }
    }

    /**
     * The escalation ended. {@code reason}: {@code contact-resolved}, {@code contact-closed}, or
     * {@code breach-corrected} (the SLA breach that alone raised it was withdrawn by an {@code sla.met}
     * with {@code correctsBreach}); absent on records written before contract 1.2.
     */
    record Resolved(String escalationId, String contactId, String level, Instant at, int policyVersion, String reason)
            implements EscalationEvent {
        public Resolved(String escalationId, String contactId, String level, Instant at, int policyVersion) {
            this(escalationId, contactId, level, at, policyVersion, null);
        }

        @Override
        public String key() {
            return contactId;
        }
    }

    /** A complaint step ({@code acknowledgement}, {@code final-response}) passed its deadline. */
    record ComplaintDeadlineMissed(String contactId, String step, Instant deadline, Instant at, int policyVersion)
            implements EscalationEvent {
        @Override
        public String key() {
            return contactId;
        }
    }

    /** {@code count} contacts of {@code category} in the window against a {@code baseline}. */
    record CrisisDeclared(String crisisId, String category, Instant windowStart, Instant windowEnd, int count,
            double baseline, List<String> notified, Instant at, int policyVersion) implements EscalationEvent {
        @Override
        public String key() {
            return category;
        }
    }

    record CrisisCleared(String crisisId, String category, Instant at, int policyVersion) implements EscalationEvent {
        @Override
        public String key() {
            return category;
        }
    }
}
