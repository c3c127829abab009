package dev.pledge.sla;

import dev.pledge.outcomes.Timer;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;
import java.io.Serializable;
import java.time.Instant;
import java.util.Objects;

/**
 * One SLA timer as stored: the row of a {@link Timer}, whose arithmetic decides everything about it
 * ({@code outcomes/}). {@link #model()} reads the row into a timer, {@link #take(Timer)} writes one back.
 */
@Entity
@Table(name = "sla_timer")
@IdClass(SlaTimer.Key.class)
public class SlaTimer {
    public static final String RUNNING = Timer.RUNNING;
    public static final String PAUSED = Timer.PAUSED;
    public static final String MET = Timer.MET;
    public static final String CANCELLED = Timer.CANCELLED;

    /** Identifies a timer: contact, metric and cycle. */
    public record Key(String contactId, String metric, int cycle) implements Serializable {
        public Key() {
            this(null, null, 0);
        }
    }

    @Id
    @Column(name = "contact_id")
    public String contactId;
    @Id
    public String metric;
    @Id
    public int cycle;
    @Column(name = "kafka_partition")
    public int partition;
    public String state;
    public String rule;
    public String calendar;
    @Column(name = "policy_version")
    public int policyVersion;
    @Column(name = "target_ms")
    public long targetMs;
    @Column(name = "used_ms")
    public long usedMs;
    @Column(name = "segment_start")
    public Instant segmentStart;
    public Instant deadline;
    @Column(name = "warned_percent")
    public int warnedPercent;
    public boolean breached;
    @Column(name = "next_fire_at")
    public Instant nextFireAt;
    @Column(name = "started_at")
    public Instant startedAt;
    @Column(name = "ended_at")
    public Instant endedAt;
    @Column(name = "elapsed_ms")
    public Long elapsedMs;
    @Column(name = "in_target")
    public Boolean inTarget;
    @Column(name = "outcome_at")
    public Instant outcomeAt;
    /** What was promised, for a {@code promise} timer; null for the others. */
    public String promised;

    public Key key() {
        return new Key(contactId, metric, cycle);
    }

    /** The row as a timer, for the decisions; {@link #take(Timer)} writes what they changed back. */
    public Timer model() {
        Timer t = new Timer();
        t.contactId = contactId;
        t.metric = metric;
        t.cycle = cycle;
        t.state = state;
        t.rule = rule;
        t.calendar = calendar;
        t.policyVersion = policyVersion;
        t.targetMs = targetMs;
        t.usedMs = usedMs;
        t.segmentStart = segmentStart;
        t.deadline = deadline;
        t.warnedPercent = warnedPercent;
        t.breached = breached;
        t.nextFireAt = nextFireAt;
        t.startedAt = startedAt;
        t.endedAt = endedAt;
        t.elapsedMs = elapsedMs;
        t.inTarget = inTarget;
        t.outcomeAt = outcomeAt;
        t.promised = promised;
        return t;
    }

    /** Takes a timer's state (contact, metric and cycle are its key and never change). */
    public SlaTimer take(Timer t) {
        state = t.state;
        rule = t.rule;
        calendar = t.calendar;
        policyVersion = t.policyVersion;
        targetMs = t.targetMs;
        usedMs = t.usedMs;
        segmentStart = t.segmentStart;
        deadline = t.deadline;
        warnedPercent = t.warnedPercent;
        breached = t.breached;
        nextFireAt = t.nextFireAt;
        startedAt = t.startedAt;
        endedAt = t.endedAt;
        elapsedMs = t.elapsedMs;
        inTarget = t.inTarget;
        outcomeAt = t.outcomeAt;
        promised = t.promised;
        return this;
    }

    /** A new row for a timer of a contact owned by {@code partition}. */
    public static SlaTimer of(Timer t, int partition) {
        SlaTimer row = new SlaTimer();
        row.contactId = t.contactId;
        row.metric = t.metric;
        row.cycle = t.cycle;
        row.partition = partition;
        return row.take(t);
    }

    @Override
    public String toString() {
        return contactId + "/" + metric + "#" + cycle + " " + state + " deadline " + deadline + " next " + nextFireAt;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SlaTimer t && Objects.equals(key(), t.key());
    }

    @Override
    public int hashCode() {
        return key().hashCode();
    }
}
