package dev.pledge.events;

import java.time.Duration;
import java.time.Instant;

/**
 * Events on {@link Topics#SLA_EVENTS}, keyed by contact id. Produced by sla-service. Durations
 * are business time in the timer's calendar, as ISO-8601 ({@code PT2M}).
 */
public sealed interface SlaEvent extends PledgeEvent {

    String contactId();

    SlaMetric metric();

    int policyVersion();

    @Override
    default String key() {
        return contactId();
    }

    /** A timer started under policy rule {@code rule}, counting in {@code calendar}. */
    record Started(String contactId, SlaMetric metric, String rule, String calendar, Duration target,
            Instant startedAt, Instant deadline, int policyVersion) implements SlaEvent {
    }

    /** {@code thresholdPercent} of the target was used. */
    record Warning(String contactId, SlaMetric metric, int thresholdPercent, Duration target, Duration remaining,
            Instant deadline, Instant at, int policyVersion) implements SlaEvent {
    }

    record Breached(String contactId, SlaMetric metric, Duration target, Instant deadline, Instant at,
            int policyVersion) implements SlaEvent {
    }

    /**
     * The metric was met at {@code at} (event time: when the reply or resolution happened, not when
     * its record arrived). {@code correctsBreach} is true when a breach was emitted for this timer
     * before a late-arriving record proved it met in time: the earlier {@code sla.breached} no longer
     * stands. Absent otherwise (added in contract 1.1; older readers ignore it).
     */
    record Met(String contactId, SlaMetric metric, Duration target, Duration elapsed, boolean inTarget,
            Instant deadline, Instant at, int policyVersion, Boolean correctsBreach) implements SlaEvent {
        public Met(String contactId, SlaMetric metric, Duration target, Duration elapsed, boolean inTarget,
                Instant deadline, Instant at, int policyVersion) {
            this(contactId, metric, target, elapsed, inTarget, deadline, at, policyVersion, null);
        }
    }

    record Paused(String contactId, SlaMetric metric, Duration remaining, Instant at, int policyVersion)
            implements SlaEvent {
    }

    record Resumed(String contactId, SlaMetric metric, Duration remaining, Instant deadline, Instant at,
            int policyVersion) implements SlaEvent {
    }

    record Cancelled(String contactId, SlaMetric metric, String reason, Instant at, int policyVersion)
            implements SlaEvent {
    }
}
