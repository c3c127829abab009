package dev.pledge.events;

import java.time.Duration;
import java.time.Instant;

/**
 * Events on {@link Topics#SLA_EVENTS}, keyed by contact id. Produced by sla-service. Durations
 * are business time in the timer's calendar, as ISO-8601 ({@code PT2M}).
 *
 * <p>Every event names its timer: {@code metric} plus {@code cycle} (the n-th next-response or
 * resolution target of the contact, from 1; for {@code promise}, the promise's number). Consumers key
 * a timer's outcome by the pair (contract 1.2, additive: records written before it carry no cycle, and
 * readers take them as the metric's latest timer). See {@code docs/outcomes.md}.
 */
public sealed interface SlaEvent extends PledgeEvent {

    String contactId();

    SlaMetric metric();

    /** The timer's cycle (promise number for promises); null on records written before contract 1.2. */
    Integer cycle();

    int policyVersion();

    @Override
    default String key() {
        return contactId();
    }

    /**
     * A timer started under policy rule {@code rule}, counting in {@code calendar}. Sent again, with the
     * same cycle, when a retarget moves a running timer to another rule or target.
     */
    record Started(String contactId, SlaMetric metric, String rule, String calendar, Duration target,
            Instant startedAt, Instant deadline, int policyVersion, Integer cycle) implements SlaEvent {
        public Started(String contactId, SlaMetric metric, String rule, String calendar, Duration target,
                Instant startedAt, Instant deadline, int policyVersion) {
            this(contactId, metric, rule, calendar, target, startedAt, deadline, policyVersion, null);
        }
    }

    /** {@code thresholdPercent} of the target was used. */
    record Warning(String contactId, SlaMetric metric, int thresholdPercent, Duration target, Duration remaining,
            Instant deadline, Instant at, int policyVersion, Integer cycle) implements SlaEvent {
        public Warning(String contactId, SlaMetric metric, int thresholdPercent, Duration target, Duration remaining,
                Instant deadline, Instant at, int policyVersion) {
            this(contactId, metric, thresholdPercent, target, remaining, deadline, at, policyVersion, null);
        }
    }

    /** The deadline passed with the target unmet. It stands unless a later {@code sla.met} says {@code correctsBreach}. */
    record Breached(String contactId, SlaMetric metric, Duration target, Instant deadline, Instant at,
            int policyVersion, Integer cycle) implements SlaEvent {
        public Breached(String contactId, SlaMetric metric, Duration target, Instant deadline, Instant at,
                int policyVersion) {
            this(contactId, metric, target, deadline, at, policyVersion, null);
        }
    }

    /**
     * The metric was met at {@code at} (event time: when the reply or resolution happened, not when
     * its record arrived). {@code correctsBreach} is true when a breach was emitted for this timer
     * before a late-arriving record proved it met before the breach happened: the earlier
     * {@code sla.breached} no longer stands, and every consumer withdraws what it did on it. Absent
     * otherwise (added in contract 1.1; older readers ignore it). A timer that breached and is met
     * after its breach instant stays breached ({@code inTarget} false), whatever its target became since.
     */
    record Met(String contactId, SlaMetric metric, Duration target, Duration elapsed, boolean inTarget,
            Instant deadline, Instant at, int policyVersion, Boolean correctsBreach, Integer cycle) implements SlaEvent {
        public Met(String contactId, SlaMetric metric, Duration target, Duration elapsed, boolean inTarget,
                Instant deadline, Instant at, int policyVersion, Boolean correctsBreach) {
            this(contactId, metric, target, elapsed, inTarget, deadline, at, policyVersion, correctsBreach, null);
        }

        public Met(String contactId, SlaMetric metric, Duration target, Duration elapsed, boolean inTarget,
                Instant deadline, Instant at, int policyVersion) {
            this(contactId, metric, target, elapsed, inTarget, deadline, at, policyVersion, null, null);
        }
    }

    record Paused(String contactId, SlaMetric metric, Duration remaining, Instant at, int policyVersion, Integer cycle)
            implements SlaEvent {
        public Paused(String contactId, SlaMetric metric, Duration remaining, Instant at, int policyVersion) {
            this(contactId, metric, remaining, at, policyVersion, null);
        }
    }

    record Resumed(String contactId, SlaMetric metric, Duration remaining, Instant deadline, Instant at,
            int policyVersion, Integer cycle) implements SlaEvent {
        public Resumed(String contactId, SlaMetric metric, Duration remaining, Instant deadline, Instant at,
                int policyVersion) {
            this(contactId, metric, remaining, deadline, at, policyVersion, null);
        }
    }

    /**
     * The timer ended without being met (the contact was resolved or closed before a reply; no target under
     * the new rule). {@code breached} is true when it had breached before: the breach stands (contract 1.2).
     */
    record Cancelled(String contactId, SlaMetric metric, String reason, Instant at, int policyVersion, Integer cycle,
            Boolean breached) implements SlaEvent {
        public Cancelled(String contactId, SlaMetric metric, String reason, Instant at, int policyVersion) {
            this(contactId, metric, reason, at, policyVersion, null, null);
        }
    }
}
