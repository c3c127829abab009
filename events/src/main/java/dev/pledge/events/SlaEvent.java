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

    record Met(String contactId, SlaMetric metric, Duration target, Duration elapsed, boolean inTarget,
            Instant deadline, Instant at, int policyVersion) implements SlaEvent {
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
