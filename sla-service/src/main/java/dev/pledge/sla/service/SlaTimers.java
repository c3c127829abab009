package dev.pledge.sla.service;

import dev.pledge.events.ContactEvent;
import dev.pledge.events.ContactStatus;
import dev.pledge.events.SlaEvent;
import dev.pledge.events.SlaMetric;
import dev.pledge.outbox.Outbox;
import dev.pledge.policy.BusinessCalendar;
import dev.pledge.policy.Policy;
import dev.pledge.policy.feed.PolicyFeed;
import dev.pledge.sla.SlaContact;
import dev.pledge.sla.SlaTimer;
import dev.pledge.sla.repository.ContactRepository;
import dev.pledge.sla.repository.TimerRepository;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.HashSet;
import java.util.Objects;
import java.util.TreeSet;
import java.util.Set;
import java.util.function.Function;
import org.jboss.logging.Logger;

/**
 * The SLA state machine over contact events, and the firing of due timers. Each method runs in the
 * caller's transaction: timers, the events they cause (to the outbox, with deterministic ids) and
 * the consumed event id commit together.
 *
 * <p>Policy versions: a contact's rules are chosen under the version its {@code contact.received}
 * (later its {@code contact.updated}) names, and a timer counts in the calendar and thresholds of the
 * version it started under, never simply the newest one read.
 *
 * <p>Promises: a {@code promise} timer runs around the clock from {@code contact.promise-made} to its
 * due time. An agent reply after it or {@code contact.promise-kept} meets it. It does not pause with
 * the contact, is not retargeted by an update, and outlives the contact's resolution: what was
 * promised is owed until it is done.
 */
@ApplicationScoped
public class SlaTimers {
    private static final Logger LOG = Logger.getLogger(SlaTimers.class);
    /** The rule name promise timers carry. */
    public static final String PROMISE_RULE = "promise";

    private final TimerRepository timers;
    private final ContactRepository contacts;
    private final PolicyFeed policies;
    private final Outbox outbox;

    public SlaTimers(TimerRepository timers, ContactRepository contacts, PolicyFeed policies, Outbox outbox) {
        this.timers = timers;
        this.contacts = contacts;
        this.policies = policies;
        this.outbox = outbox;
    }

    /** Applies one contact event; returns the timers it touched, for the clock to schedule. */
    public Uni<List<SlaTimer>> on(ContactEvent event, String eventId, int partition) {
        if (event instanceof ContactEvent.Received r) {
            return received(List.of(new Received(r, partition)));
        }
        return contacts.findById(event.contactId()).flatMap(contact -> {
            if (contact == null) {
                LOG.debugf("ignoring %s of a contact never received here: %s", event.type().ceType(), event.contactId());
                return Uni.createFrom().item(List.<SlaTimer>of());
            }
            return timers.openForUpdate(contact.contactId).flatMap(open -> {
                if (event instanceof ContactEvent.AgentReplied a) {
                    return agentReplied(open, a);
                } else if (event instanceof ContactEvent.CustomerReplied c) {
                    return customerReplied(contact, open, c.occurredAt());
                } else if (event instanceof ContactEvent.StatusChanged s) {
                    return statusChanged(contact, open, s, eventId);
                } else if (event instanceof ContactEvent.Updated u) {
                    return policies.await(u.policyVersion()).flatMap(policy -> updated(contact, open, u, eventId, policy));
                } else if (event instanceof ContactEvent.PromiseMade p) {
                    return promiseMade(contact, p);
                } else if (event instanceof ContactEvent.PromiseKept k) {
                    return each(open.stream().filter(t -> t.slaMetric() == SlaMetric.PROMISE && t.cycle == k.promise())
                            .toList(), t -> emit(t, t.meet(micros(k.occurredAt()), calendar(t)), "met"));
                }
                return Uni.createFrom().item(List.<SlaTimer>of());
            });
        });
    }

    /** A {@code contact.received} and the partition it came from (its timers belong to that partition). */
    public record Received(ContactEvent.Received event, int partition) {
    }

    /**
     * Contacts received, in record order, set-based: contacts written with one statement that skips
     * those already known (a contact received twice keeps its first timers), then the new ones' timers
     * and their {@code sla.started} with one statement per table (arrays, through {@code SessionSql}:
     * Hibernate's per-entity inserts were a quarter of the service's CPU). Returns the timers started.
     */
    public Uni<List<SlaTimer>> received(List<Received> received) {
        Set<String> seen = new HashSet<>();
        List<Received> firsts = received.stream().filter(r -> seen.add(r.event().contactId())).toList();
        Set<Integer> versions = new TreeSet<>();
        firsts.forEach(r -> versions.add(r.event().policyVersion()));
        // the policy check first: it refuses an event naming no version before anything reads its fields
        return Multi.createFrom().iterable(versions).onItem().transformToUniAndConcatenate(policies::await)
                .collect().last().chain(() -> {
                    List<SlaContact> candidates = firsts.stream().map(SlaTimers::contactOf).toList();
                    return contacts.insertNew(candidates).chain(inserted -> start(
                            candidates.stream().filter(c -> inserted.contains(c.contactId)).toList()));
                });
    }

    private static SlaContact contactOf(Received received) {
        ContactEvent.Received r = received.event();
        SlaContact c = new SlaContact();
        c.contactId = r.contactId();
        c.partition = received.partition();
        c.channel = r.channel().wire();
        c.priority = r.priority().wire();
        c.tier = r.customer().tier();
        c.category = r.category();
        c.team = r.team();
        c.status = ContactStatus.OPEN.wire();
        c.receivedAt = r.occurredAt();
        c.policyVersion = r.policyVersion();
        c.caller = r.caller();
        return c;
    }

    /** The first timers of contacts just written, and their {@code sla.started}. */
    private Uni<List<SlaTimer>> start(List<SlaContact> fresh) {
        List<SlaTimer> started = new ArrayList<>();
        for (SlaContact c : fresh) {
            Policy.SlaRule rule = ruleFor(c);
            Instant at = micros(c.receivedAt);
            if (rule.firstResponse() != null) {
                started.add(newTimer(c, SlaMetric.FIRST_RESPONSE, 1, rule, rule.firstResponse(), at));
            }
            if (rule.resolution() != null) {
                started.add(newTimer(c, SlaMetric.RESOLUTION, 1, rule, rule.resolution(), at));
            }
        }
        if (started.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        List<Outbox.Entry> events = started.stream()
                .map(t -> new Outbox.Entry(t.started(), Outbox.idOf(t.contactId, t.metric, t.cycle, "started"))).toList();
        return timers.insertAll(started)
                .chain(() -> outbox.appendAll(events, Instant.now()))
                .replaceWith(started);
    }

    /**
     * A reply answers the customer, and keeps the promises it names (made before it): a promise is
     * something to do ("call back with the delivery date"), not any reply, so none is kept implicitly.
     */
    private Uni<List<SlaTimer>> agentReplied(List<SlaTimer> open, ContactEvent.AgentReplied a) {
        Instant reply = micros(a.occurredAt());
        List<Integer> keeps = a.keeps() == null ? List.of() : a.keeps();
        List<SlaTimer> answered = open.stream().filter(t -> isResponse(t) || t.slaMetric() == SlaMetric.PROMISE
                && keeps.contains(t.cycle) && !t.startedAt.isAfter(reply)).toList();
        return each(answered, t -> emit(t, t.meet(reply, calendar(t)), "met"));
    }

    /** A promise made: timed around the clock to its due time, once (a promise number starts one timer). */
    private Uni<List<SlaTimer>> promiseMade(SlaContact contact, ContactEvent.PromiseMade p) {
        return timers.findById(new SlaTimer.Key(contact.contactId, SlaMetric.PROMISE.wire(), p.promise())).flatMap(known -> {
            if (known != null) {
                return Uni.createFrom().item(List.<SlaTimer>of());
            }
            Instant at = micros(p.occurredAt());
            Instant due = micros(p.due());
            Policy policy = policies.version(contact.policyVersion);
            SlaTimer t = SlaTimer.start(contact.contactId, SlaMetric.PROMISE, p.promise(), contact.partition, PROMISE_RULE,
                    BusinessCalendar.ALWAYS_NAME, contact.policyVersion,
                    due.isAfter(at) ? Duration.between(at, due) : Duration.ofMillis(1), at,
                    policy.calendar(BusinessCalendar.ALWAYS_NAME), policy.sla().warningPercents());
            t.promised = p.what();
            return persistStarted(List.of(t));
        });
    }

    /** Every customer reply after the first response starts a next-response timer, if none runs. */
    private Uni<List<SlaTimer>> customerReplied(SlaContact contact, List<SlaTimer> open, Instant at) {
        boolean waiting = open.stream().anyMatch(SlaTimers::isResponse);
        if (waiting || contact.status().isDone()) {
            return Uni.createFrom().item(List.of());
        }
        Policy.SlaRule rule = ruleFor(contact);
        if (rule.nextResponse() == null) {
            return Uni.createFrom().item(List.of());
        }
        return timers.lastCycle(contact.contactId, SlaMetric.NEXT_RESPONSE.wire()).flatMap(last ->
                persistStarted(List.of(newTimer(contact, SlaMetric.NEXT_RESPONSE, last + 1, rule, rule.nextResponse(),
                        micros(at)))));
    }

    private Uni<List<SlaTimer>> statusChanged(SlaContact contact, List<SlaTimer> open, ContactEvent.StatusChanged s,
            String eventId) {
        contact.status = s.to().wire();
        Instant at = micros(s.occurredAt());
        open = open.stream().filter(t -> t.slaMetric() != SlaMetric.PROMISE).toList();
        if (s.to().isDone()) {
            return each(open, t -> t.slaMetric() == SlaMetric.RESOLUTION
                    ? emit(t, t.meet(at, calendar(t)), "met")
                    : emit(t, t.cancel(at, "contact " + s.to().wire()), "cancelled"));
        }
        // Each metric pauses on the statuses its policy lists for it (reply clocks, by default, on none).
        Policy.Sla sla = policies.version(contact.policyVersion).sla();
        Uni<List<SlaTimer>> clocks = each(open, t -> {
            boolean pause = sla.pauses(t.slaMetric(), s.to());
            if (pause && SlaTimer.RUNNING.equals(t.state)) {
                return emit(t, t.pause(at, calendar(t)), "paused", eventId);
            }
            if (!pause && SlaTimer.PAUSED.equals(t.state)) {
                return emit(t, t.resume(at, calendar(t), warnings(t)), "resumed", eventId);
            }
            return Uni.createFrom().item(t);
        });
        if (s.to() != ContactStatus.REOPENED || open.stream().anyMatch(t -> t.slaMetric() == SlaMetric.RESOLUTION)) {
            return clocks;
        }
        Policy.SlaRule rule = ruleFor(contact);
        if (rule.resolution() == null) {
            return clocks;
        }
        return clocks.flatMap(list -> timers.lastCycle(contact.contactId, SlaMetric.RESOLUTION.wire())
                .flatMap(last -> persistStarted(List.of(newTimer(contact, SlaMetric.RESOLUTION, last + 1, rule,
                        rule.resolution(), at))))
                .map(started -> concat(list, started)));
    }

    /** A change of priority, tier or category may move the contact to another rule: new targets. */
    private Uni<List<SlaTimer>> updated(SlaContact contact, List<SlaTimer> open, ContactEvent.Updated u, String eventId,
            Policy policy) {
        if (u.priority() != null) {
            contact.priority = u.priority().wire();
        }
        if (u.tier() != null) {
            contact.tier = u.tier();
        }
        if (u.category() != null) {
            contact.category = u.category();
        }
        if (u.team() != null) {
            contact.team = u.team();
        }
        contact.policyVersion = u.policyVersion();
        Policy.SlaRule rule = ruleFor(contact);
        Instant at = micros(u.occurredAt());
        return each(open.stream().filter(t -> t.slaMetric() != SlaMetric.PROMISE).toList(), t -> {
            Duration target = targetOf(rule, t.slaMetric());
            if (target == null) {
                return emit(t, t.cancel(at, "no " + t.metric + " target under rule " + rule.name()), "cancelled", eventId);
            }
            if (rule.name().equals(t.rule) && target.toMillis() == t.targetMs && t.policyVersion == contact.policyVersion) {
                return Uni.createFrom().item(t);
            }
            BusinessCalendar oldCal = calendar(t);
            t.policyVersion = contact.policyVersion;
            t.retarget(rule.name(), rule.calendar(), target, at, oldCal, policy.calendar(rule.calendar()),
                    policy.sla().warningPercents());
            return emit(t, t.started(), "retargeted", eventId);
        });
    }

    /**
     * Fires every timer of these contacts that is due by the database's clock, under row locks (rows
     * another transaction holds are skipped, and tried again by the engine): each warning and breach once.
     */
    public Uni<List<SlaTimer>> fireDue(Collection<String> contactIds) {
        return timers.dueForUpdate(contactIds).flatMap(due -> each(due.timers(), t -> {
            Instant now = due.now();
            List<SlaEvent> events = t.fire(now, calendar(t), warnings(t));
            Uni<SlaTimer> chain = Uni.createFrom().item(t);
            for (SlaEvent e : events) {
                Object kind = e instanceof SlaEvent.Warning w ? "warning-" + w.thresholdPercent() : "breached";
                chain = chain.call(() -> outbox.append(e, now, Outbox.idOf(t.contactId, t.metric, t.cycle, kind,
                        t.deadline)));
            }
            return chain;
        }));
    }

    /** A timer under the contact's policy version, whose calendar and thresholds it keeps from then on. */
    private SlaTimer newTimer(SlaContact c, SlaMetric metric, int cycle, Policy.SlaRule rule, Duration target,
            Instant at) {
        Policy policy = policies.version(c.policyVersion);
        return SlaTimer.start(c.contactId, metric, cycle, c.partition, rule.name(), rule.calendar(),
                c.policyVersion, target, at, policy.calendar(rule.calendar()), policy.sla().warningPercents());
    }

    private Uni<List<SlaTimer>> persistStarted(List<SlaTimer> started) {
        return each(started, t -> timers.persist(t).chain(() -> emit(t, t.started(), "started")));
    }

    /** Appends a timer's event with an id made of contact, metric, cycle, kind and, where given, its cause. */
    private Uni<SlaTimer> emit(SlaTimer t, SlaEvent event, Object... kind) {
        Object[] parts = new Object[3 + kind.length];
        parts[0] = t.contactId;
        parts[1] = t.metric;
        parts[2] = t.cycle;
        System.arraycopy(kind, 0, parts, 3, kind.length);
        return outbox.append(event, Instant.now(), Outbox.idOf(parts)).replaceWith(t);
    }

    private Policy.SlaRule ruleFor(SlaContact c) {
        return policies.version(c.policyVersion).slaRule(c.channel(), c.priority(), c.tier, c.category);
    }

    private BusinessCalendar calendar(SlaTimer t) {
        return policies.version(t.policyVersion).calendar(t.calendar);
    }

    private List<Integer> warnings(SlaTimer t) {
        return policies.version(t.policyVersion).sla().warningPercents();
    }

    private static Duration targetOf(Policy.SlaRule rule, SlaMetric metric) {
        return switch (metric) {
            case FIRST_RESPONSE -> rule.firstResponse();
            case NEXT_RESPONSE -> rule.nextResponse();
            case RESOLUTION -> rule.resolution();
            case PROMISE -> throw new IllegalArgumentException("a promise's target is its due time, not a rule's");
        };
    }

    private static boolean isResponse(SlaTimer t) {
        return t.slaMetric() == SlaMetric.FIRST_RESPONSE || t.slaMetric() == SlaMetric.NEXT_RESPONSE;
    }

    /** One after another in the same session: a reactive session runs one statement at a time. */
    private static Uni<List<SlaTimer>> each(List<SlaTimer> items, Function<SlaTimer, Uni<SlaTimer>> action) {
        if (items.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        return Multi.createFrom().iterable(items).onItem().transformToUniAndConcatenate(action::apply).collect().asList();
    }

    private static List<SlaTimer> concat(List<SlaTimer> a, List<SlaTimer> b) {
        List<SlaTimer> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    /** PostgreSQL keeps microseconds; deadlines computed here must equal the ones read back. */
    static Instant micros(Instant at) {
        return Objects.requireNonNull(at).truncatedTo(ChronoUnit.MICROS);
    }

}
