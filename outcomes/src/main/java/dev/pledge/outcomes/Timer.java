package dev.pledge.outcomes;

import dev.pledge.events.SlaEvent;
import dev.pledge.events.SlaMetric;
import dev.pledge.policy.BusinessCalendar;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * One SLA timer: a target of business time for one metric of one contact, counted in a calendar.
 * Plain Java: sla-service stores it as a row ({@code SlaTimer}), the what-if replay keeps it in memory.
 * The methods here are the whole timer arithmetic; each returns the events it causes and leaves
 * {@link #nextFireAt} at the next warning or breach, or null when nothing is left to fire.
 */
public final class Timer {
    public static final String RUNNING = "running";
    public static final String PAUSED = "paused";
    public static final String MET = "met";
    public static final String CANCELLED = "cancelled";

    public String contactId;
    public String metric;
    public int cycle;
    public String state;
    public String rule;
    public String calendar;
    public int policyVersion;
    public long targetMs;
    public long usedMs;
    public Instant segmentStart;
    public Instant deadline;
    public int warnedPercent;
    public boolean breached;
    public Instant nextFireAt;
    public Instant startedAt;
    public Instant endedAt;
    public Long elapsedMs;
    public Boolean inTarget;
    public Instant outcomeAt;
    /** What was promised, for a {@code promise} timer; null for the others. */
    public String promised;

    public SlaMetric slaMetric() {
        return SlaMetric.of(metric);
    }

    public Duration target() {
        return Duration.ofMillis(targetMs);
    }

    public boolean isOpen() {
        return RUNNING.equals(state) || PAUSED.equals(state);
    }

    /** Business time used up to {@code now}. */
    public Duration used(BusinessCalendar cal, Instant now) {
        Duration used = Duration.ofMillis(usedMs);
        return RUNNING.equals(state) && segmentStart != null ? used.plus(cal.between(segmentStart, now)) : used;
    }

    /** A new running timer from {@code start}. */
    public static Timer start(String contactId, SlaMetric metric, int cycle, String rule,
            String calendarName, int policyVersion, Duration target, Instant start, BusinessCalendar cal,
            List<Integer> warnings) {
        Timer t = new Timer();
        t.contactId = contactId;
        t.metric = metric.wire();
        t.cycle = cycle;
        t.state = RUNNING;
        t.rule = rule;
        t.calendar = calendarName;
        t.policyVersion = policyVersion;
        t.targetMs = target.toMillis();
        t.startedAt = start;
        t.segmentStart = start;
        t.deadline = cal.add(start, target);
        t.schedule(cal, warnings);
        return t;
    }

    public SlaEvent.Started started() {
        return new SlaEvent.Started(contactId, slaMetric(), rule, calendar, target(), startedAt, deadline, policyVersion,
                cycle);
    }

    /**
     * Emits what is due at {@code now}: each warning threshold passed and not yet sent, once, then the
     * breach, once. A breach that is due makes earlier unsent warnings moot: only the breach goes out.
     */
    public List<SlaEvent> fire(Instant now, BusinessCalendar cal, List<Integer> warnings) {
        List<SlaEvent> events = new ArrayList<>();
        if (!RUNNING.equals(state) || breached) {
            nextFireAt = null;
            return events;
        }
        if (!deadline.isAfter(now)) {
            breached = true;
            warnedPercent = Math.max(warnedPercent, warnings.isEmpty() ? 0 : warnings.get(warnings.size() - 1));
            inTarget = false;
            outcomeAt = deadline;
            events.add(new SlaEvent.Breached(contactId, slaMetric(), target(), deadline, now, policyVersion, cycle));
        } else {
            for (int percent : warnings) {
                if (percent > warnedPercent && !thresholdAt(percent, cal).isAfter(now)) {
                    warnedPercent = percent;
                    events.add(new SlaEvent.Warning(contactId, slaMetric(), percent, target(),
                            cal.between(now, deadline), deadline, now, policyVersion, cycle));
                }
            }
        }
        schedule(cal, warnings);
        return events;
    }

    /** Stops the clock: the business time used so far is kept. */
    public SlaEvent.Paused pause(Instant at, BusinessCalendar cal) {
        usedMs = used(cal, max(at, segmentStart)).toMillis();
        state = PAUSED;
        segmentStart = null;
        deadline = null;
        nextFireAt = null;
        return new SlaEvent.Paused(contactId, slaMetric(), remaining(), at, policyVersion, cycle);
    }

    /** Restarts the clock with the business time that was left. */
    public SlaEvent.Resumed resume(Instant at, BusinessCalendar cal, List<Integer> warnings) {
        state = RUNNING;
        segmentStart = at;
        deadline = cal.add(at, remaining());
        schedule(cal, warnings);
        return new SlaEvent.Resumed(contactId, slaMetric(), remaining(), deadline, at, policyVersion, cycle);
    }

    /**
     * The metric is met (an agent replied, the contact was resolved) at {@code at}, the time it
     * happened. The outcome follows that time, not the time its record arrived: a reply made before the
     * breach whose record came after it fired (consumer lag, a broker outage) is met in target, and the
     * event says it corrects the breach. A reply after the breach leaves it standing, whatever the
     * target became since (a retarget applies from then on; it never rewrites a breach that happened).
     */
    public SlaEvent.Met meet(Instant at, BusinessCalendar cal) {
        Duration elapsed = used(cal, RUNNING.equals(state) ? max(at, segmentStart) : at);
        // breached: outcomeAt is the instant of the breach, the deadline in force when it fired
        boolean met = breached ? !at.isAfter(outcomeAt) : elapsed.toMillis() <= targetMs;
        boolean correctsBreach = breached && met;
        Instant due = deadline;
        state = MET;
        endedAt = at;
        elapsedMs = elapsed.toMillis();
        usedMs = elapsedMs;
        segmentStart = null;
        nextFireAt = null;
        if (!breached || correctsBreach) {
            breached = false;
            inTarget = met;
            outcomeAt = at;
        }
        return new SlaEvent.Met(contactId, slaMetric(), target(), elapsed, met, due, at, policyVersion,
                correctsBreach ? Boolean.TRUE : null, cycle);
    }

    /** Ends the timer unmet and without a new outcome: a breach it had stands (the event says so). */
    public SlaEvent.Cancelled cancel(Instant at, String reason) {
        state = CANCELLED;
        endedAt = at;
        segmentStart = null;
        nextFireAt = null;
        return new SlaEvent.Cancelled(contactId, slaMetric(), reason, at, policyVersion, cycle,
                breached ? Boolean.TRUE : null);
    }

    /**
     * A new target under another rule (priority, tier or category changed): the business time used
     * so far counts against the new target; nothing is dropped. Thresholds already warned stay warned.
     */
    public void retarget(String newRule, String calendarName, Duration newTarget, Instant at, BusinessCalendar oldCal,
            BusinessCalendar newCal, List<Integer> warnings) {
        if (RUNNING.equals(state)) {
            usedMs = used(oldCal, max(at, segmentStart)).toMillis();
            segmentStart = at;
        }
        rule = newRule;
        calendar = calendarName;
        targetMs = newTarget.toMillis();
        if (RUNNING.equals(state)) {
            deadline = newCal.add(at, remaining());
            schedule(newCal, warnings);
        }
    }

    public Duration remaining() {
        return Duration.ofMillis(Math.max(0, targetMs - usedMs));
    }

    /** The instant at which {@code percent} of the target is used, in the running stretch. */
    public Instant thresholdAt(int percent, BusinessCalendar cal) {
        long atMs = targetMs * percent / 100;
        return atMs <= usedMs ? segmentStart : cal.add(segmentStart, Duration.ofMillis(atMs - usedMs));
    }

    private void schedule(BusinessCalendar cal, List<Integer> warnings) {
        if (!RUNNING.equals(state) || breached) {
            nextFireAt = null;
            return;
        }
        Instant next = deadline;
        for (int percent : warnings) {
            if (percent > warnedPercent) {
                Instant at = thresholdAt(percent, cal);
                if (at.isBefore(next)) {
                    next = at;
                }
                break; // thresholds are sorted: the first unsent one comes first
            }
        }
        nextFireAt = next;
    }

    private static Instant max(Instant a, Instant b) {
        return b == null || a.isAfter(b) ? a : b;
    }

    @Override
    public String toString() {
        return contactId + "/" + metric + "#" + cycle + " " + state + " deadline " + deadline + " next " + nextFireAt;
    }
}
