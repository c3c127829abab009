package dev.pledge.outcomes;

import dev.pledge.events.Channel;
import dev.pledge.events.ContactEvent;
import dev.pledge.events.ContactStatus;
import dev.pledge.events.Priority;
import dev.pledge.events.SlaEvent;
import dev.pledge.events.SlaMetric;
import dev.pledge.policy.BusinessCalendar;
import dev.pledge.policy.Policy;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.function.IntFunction;

/**
 * One contact's promises and the decisions taken on them: which rule's targets it gets, which timers
 * start, pause, resume, are met, cancelled or retargeted on each contact event, and what a timer emits
 * when it comes due. Pure: no I/O and no clock but the instants passed in. sla-service runs it on the rows
 * of a contact it loads and stores; the what-if replay ({@link Replay}) runs it on a recorded history.
 *
 * <p>Policy versions: the rules are chosen under the version the contact's {@code contact.received} (later
 * its {@code contact.updated}) names, and a timer counts in the calendar and thresholds of the version it
 * started under. {@code versions} answers a version number with that policy (the replay of a candidate
 * answers every number with the candidate).
 *
 * <p>Promises: a {@code promise} timer runs around the clock from {@code contact.promise-made} to its due
 * time. An agent reply naming it ({@code keeps}) or {@code contact.promise-kept} meets it. It does not pause
 * with the contact, is not retargeted by an update, and outlives the contact's resolution.
 */
public final class ContactSla {
    /** The rule name promise timers carry. */
    public static final String PROMISE_RULE = "promise";

    /**
     * An event a decision emitted about {@code timer}. Its deterministic id is made of the contact, the
     * timer's metric and cycle, and {@code kind} (what happened and, where given, its cause).
     */
    public record Emitted(Timer timer, SlaEvent event, List<Object> kind) {
    }

    public final String contactId;
    public Channel channel;
    public Priority priority;
    public String tier;
    public String category;
    public String team;
    public ContactStatus status;
    /** The version its rules are chosen under: its contact.received's, then its latest contact.updated's. */
    public int policyVersion;
    private final List<Timer> timers;
    private final IntFunction<Policy> versions;

    /** A contact as stored, with every timer it has had ({@code timers} is kept and changed in place). */
    public ContactSla(String contactId, Channel channel, Priority priority, String tier, String category, String team,
            ContactStatus status, int policyVersion, List<Timer> timers, IntFunction<Policy> versions) {
        this.contactId = contactId;
        this.channel = channel;
        this.priority = priority;
        this.tier = tier;
        this.category = category;
        this.team = team;
        this.status = status;
        this.policyVersion = policyVersion;
        this.timers = timers;
        this.versions = versions;
    }

    /** A contact just received, and its first timers (first response and resolution, as its rule sets them). */
    public static ContactSla received(ContactEvent.Received r, IntFunction<Policy> versions, List<Emitted> out) {
        ContactSla c = new ContactSla(r.contactId(), r.channel(), r.priority(),
                r.customer() == null ? null : r.customer().tier(), r.category(), r.team(), ContactStatus.OPEN,
                r.policyVersion(), new ArrayList<>(), versions);
        Policy.SlaRule rule = c.rule();
        Instant at = micros(r.occurredAt());
        if (rule.firstResponse() != null) {
            c.startTimer(SlaMetric.FIRST_RESPONSE, 1, rule, rule.firstResponse(), at, out);
        }
        if (rule.resolution() != null) {
            c.startTimer(SlaMetric.RESOLUTION, 1, rule, rule.resolution(), at, out);
        }
        return c;
    }

    /** Every timer the contact has had, in the order they started. */
    public List<Timer> timers() {
        return Collections.unmodifiableList(timers);
    }

    /**
     * Applies one contact event after its {@code contact.received}; {@code eventId} is its {@code ce_id}.
     * What was due by the time it happened fires first (a timer engine firing a little late must not
     * decide otherwise than the clock: a pause a moment after a deadline finds the breach already standing).
     */
    public void on(ContactEvent event, String eventId, List<Emitted> out) {
        fireDue(micros(event.occurredAt()), out);
        if (event instanceof ContactEvent.AgentReplied a) {
            agentReplied(a, out);
        } else if (event instanceof ContactEvent.CustomerReplied c) {
            customerReplied(micros(c.occurredAt()), out);
        } else if (event instanceof ContactEvent.StatusChanged s) {
            statusChanged(s, eventId, out);
        } else if (event instanceof ContactEvent.Updated u) {
            updated(u, eventId, out);
        } else if (event instanceof ContactEvent.PromiseMade p) {
            promiseMade(p, out);
        } else if (event instanceof ContactEvent.PromiseKept k) {
            for (Timer t : open()) {
                if (t.slaMetric() == SlaMetric.PROMISE && t.cycle == k.promise()) {
                    emit(t, t.meet(micros(k.occurredAt()), calendar(t)), out, "met");
                }
            }
        }
        // a second contact.received changes nothing: a contact keeps its first timers
    }

    /** The soonest instant one of its timers comes due, or null. */
    public Instant nextFireAt() {
        Instant next = null;
        for (Timer t : timers) {
            if (t.nextFireAt != null && (next == null || t.nextFireAt.isBefore(next))) {
                next = t.nextFireAt;
            }
        }
        return next;
    }

    /** Fires every timer due at {@code now}: each warning and breach once. */
    public void fireDue(Instant now, List<Emitted> out) {
        List<Timer> due = timers.stream().filter(t -> t.nextFireAt != null && !t.nextFireAt.isAfter(now))
                .sorted(Comparator.comparing((Timer t) -> t.nextFireAt)).toList();
        for (Timer t : due) {
            out.addAll(fire(t, now, versions.apply(t.policyVersion)));
        }
    }

    /**
     * What a timer emits when it comes due at {@code now} under the policy version it started under:
     * warnings passed and not yet sent, or its breach (which makes unsent warnings moot).
     */
    public static List<Emitted> fire(Timer t, Instant now, Policy policy) {
        List<Emitted> out = new ArrayList<>();
        for (SlaEvent e : t.fire(now, policy.calendar(t.calendar), policy.sla().warningPercents())) {
            Object kind = e instanceof SlaEvent.Warning w ? "warning-" + w.thresholdPercent() : "breached";
            out.add(new Emitted(t, e, Arrays.asList(kind, t.deadline)));
        }
        return out;
    }

    /**
     * A reply answers the customer, and keeps the promises it names (made before it): a promise is
     * something to do ("call back with the delivery date"), not any reply, so none is kept implicitly.
     */
    private void agentReplied(ContactEvent.AgentReplied a, List<Emitted> out) {
        Instant reply = micros(a.occurredAt());
        List<Integer> keeps = a.keeps() == null ? List.of() : a.keeps();
        for (Timer t : open()) {
            if (isResponse(t) || t.slaMetric() == SlaMetric.PROMISE && keeps.contains(t.cycle)
                    && !t.startedAt.isAfter(reply)) {
                emit(t, t.meet(reply, calendar(t)), out, "met");
            }
        }
    }

    /** A promise made: timed around the clock to its due time, once (a promise number starts one timer). */
    private void promiseMade(ContactEvent.PromiseMade p, List<Emitted> out) {
        if (timers.stream().anyMatch(t -> t.slaMetric() == SlaMetric.PROMISE && t.cycle == p.promise())) {
            return;
        }
        Instant at = micros(p.occurredAt());
        Instant due = micros(p.due());
        Policy policy = versions.apply(policyVersion);
        Timer t = Timer.start(contactId, SlaMetric.PROMISE, p.promise(), PROMISE_RULE, BusinessCalendar.ALWAYS_NAME,
                policyVersion, due.isAfter(at) ? Duration.between(at, due) : Duration.ofMillis(1), at,
                policy.calendar(BusinessCalendar.ALWAYS_NAME), policy.sla().warningPercents());
        t.promised = p.what();
        timers.add(t);
        emit(t, t.started(), out, "started");
    }

    /** Every customer reply after the first response starts a next-response timer, if none runs. */
    private void customerReplied(Instant at, List<Emitted> out) {
        if (open().stream().anyMatch(ContactSla::isResponse) || status.isDone()) {
            return;
        }
        Policy.SlaRule rule = rule();
        if (rule.nextResponse() != null) {
            startTimer(SlaMetric.NEXT_RESPONSE, lastCycle(SlaMetric.NEXT_RESPONSE) + 1, rule, rule.nextResponse(), at,
                    out);
        }
    }

    private void statusChanged(ContactEvent.StatusChanged s, String eventId, List<Emitted> out) {
        status = s.to();
        Instant at = micros(s.occurredAt());
        List<Timer> open = open().stream().filter(t -> t.slaMetric() != SlaMetric.PROMISE).toList();
        if (s.to().isDone()) {
            for (Timer t : open) {
                if (t.slaMetric() == SlaMetric.RESOLUTION) {
                    emit(t, t.meet(at, calendar(t)), out, "met");
                } else {
                    emit(t, t.cancel(at, "contact " + s.to().wire()), out, "cancelled");
                }
            }
            return;
        }
        // Each metric pauses on the statuses its policy lists for it (reply clocks, by default, on none).
        Policy.Sla sla = versions.apply(policyVersion).sla();
        for (Timer t : open) {
            boolean pause = sla.pauses(t.slaMetric(), s.to());
            if (pause && Timer.RUNNING.equals(t.state)) {
                emit(t, t.pause(at, calendar(t)), out, "paused", eventId);
            } else if (!pause && Timer.PAUSED.equals(t.state)) {
                emit(t, t.resume(at, calendar(t), warnings(t)), out, "resumed", eventId);
            }
        }
        if (s.to() == ContactStatus.REOPENED && open.stream().noneMatch(t -> t.slaMetric() == SlaMetric.RESOLUTION)) {
            Policy.SlaRule rule = rule();
            if (rule.resolution() != null) {
                startTimer(SlaMetric.RESOLUTION, lastCycle(SlaMetric.RESOLUTION) + 1, rule, rule.resolution(), at, out);
            }
        }
    }

    /** A change of priority, tier or category may move the contact to another rule: new targets. */
    private void updated(ContactEvent.Updated u, String eventId, List<Emitted> out) {
        if (u.priority() != null) {
            priority = u.priority();
        }
        if (u.tier() != null) {
            tier = u.tier();
        }
        if (u.category() != null) {
            category = u.category();
        }
        if (u.team() != null) {
            team = u.team();
        }
        policyVersion = u.policyVersion();
        Policy policy = versions.apply(policyVersion);
        Policy.SlaRule rule = rule();
        Instant at = micros(u.occurredAt());
        for (Timer t : open()) {
            if (t.slaMetric() == SlaMetric.PROMISE) {
                continue;
            }
            Duration target = targetOf(rule, t.slaMetric());
            if (target == null) {
                emit(t, t.cancel(at, "no " + t.metric + " target under rule " + rule.name()), out, "cancelled", eventId);
            } else if (!rule.name().equals(t.rule) || target.toMillis() != t.targetMs || t.policyVersion != policyVersion) {
                BusinessCalendar oldCal = calendar(t);
                t.policyVersion = policyVersion;
                t.retarget(rule.name(), rule.calendar(), target, at, oldCal, policy.calendar(rule.calendar()),
                        policy.sla().warningPercents());
                emit(t, t.started(), out, "retargeted", eventId);
            }
        }
    }

    private void startTimer(SlaMetric metric, int cycle, Policy.SlaRule rule, Duration target, Instant at,
            List<Emitted> out) {
        Policy policy = versions.apply(policyVersion);
        Timer t = Timer.start(contactId, metric, cycle, rule.name(), rule.calendar(), policyVersion, target, at,
                policy.calendar(rule.calendar()), policy.sla().warningPercents());
        timers.add(t);
        emit(t, t.started(), out, "started");
    }

    /** The contact's SLA rule under its policy version. */
    public Policy.SlaRule rule() {
        return versions.apply(policyVersion).slaRule(channel, priority, tier, category);
    }

    private List<Timer> open() {
        return timers.stream().filter(Timer::isOpen).toList();
    }

    private int lastCycle(SlaMetric metric) {
        return timers.stream().filter(t -> t.slaMetric() == metric).mapToInt(t -> t.cycle).max().orElse(0);
    }

    private BusinessCalendar calendar(Timer t) {
        return versions.apply(t.policyVersion).calendar(t.calendar);
    }

    private List<Integer> warnings(Timer t) {
        return versions.apply(t.policyVersion).sla().warningPercents();
    }

    private static void emit(Timer t, SlaEvent event, List<Emitted> out, Object... kind) {
        out.add(new Emitted(t, event, Arrays.asList(kind)));
    }

    private static Duration targetOf(Policy.SlaRule rule, SlaMetric metric) {
        return switch (metric) {
            case FIRST_RESPONSE -> rule.firstResponse();
            case NEXT_RESPONSE -> rule.nextResponse();
            case RESOLUTION -> rule.resolution();
            case PROMISE -> throw new IllegalArgumentException("a promise's target is its due time, not a rule's");
        };
    }

    private static boolean isResponse(Timer t) {
        return t.slaMetric() == SlaMetric.FIRST_RESPONSE || t.slaMetric() == SlaMetric.NEXT_RESPONSE;
    }

    /** PostgreSQL keeps microseconds; deadlines computed here must equal the ones read back. */
    public static Instant micros(Instant at) {
        return Objects.requireNonNull(at).truncatedTo(ChronoUnit.MICROS);
    }
}
