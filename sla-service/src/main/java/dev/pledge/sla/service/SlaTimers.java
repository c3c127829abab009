package dev.pledge.sla.service;

import dev.pledge.events.ContactEvent;
import dev.pledge.events.ContactStatus;
import dev.pledge.outbox.Outbox;
import dev.pledge.outcomes.ContactSla;
import dev.pledge.outcomes.Timer;
import dev.pledge.policy.feed.PolicyFeed;
import dev.pledge.sla.SlaContact;
import dev.pledge.sla.SlaTimer;
import dev.pledge.sla.repository.ContactRepository;
import dev.pledge.sla.repository.TimerRepository;
import dev.pledge.timers.TimerEngine;
import dev.pledge.timers.TimerTable;
import dev.pledge.timers.TimerTable.KeyColumn;
import dev.pledge.timers.Timers;
import io.quarkus.runtime.Startup;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * sla-service's side of the SLA decisions: loads a contact and its timers, lets the pure model decide
 * ({@link ContactSla}: rule choice, timers, pauses, warnings, breaches, met, promises, retargets, reopen; the
 * what-if replay runs the same class), and stores what it decided. Each method runs in the caller's
 * transaction: timers, the events they cause (to the outbox, with deterministic ids) and the consumed event
 * id commit together.
 */
@ApplicationScoped
@Startup // its timer engine runs from the start, whether or not an event has come
public class SlaTimers {
    private static final Logger LOG = Logger.getLogger(SlaTimers.class);
    /** {@code sla_timer} as the timer engine reads it: a timer is a contact's metric in one cycle. */
    static final TimerTable<SlaTimer.Key> TABLE = new TimerTable<>("sla", "sla_timer",
            List.of(KeyColumn.text("contact_id"), KeyColumn.text("metric"), KeyColumn.integer("cycle")),
            row -> new SlaTimer.Key(row.getString(0), row.getString(1), row.getInteger(2)),
            key -> new Object[] {key.contactId(), key.metric(), key.cycle()}, new SlaTimer.Key("(warm-up)", "", 0));

    private final TimerRepository timers;
    private final ContactRepository contacts;
    private final PolicyFeed policies;
    private final Outbox outbox;
    private final TimerEngine<SlaTimer.Key> clock;

    public SlaTimers(TimerRepository timers, ContactRepository contacts, PolicyFeed policies, Outbox outbox,
            Timers engines) {
        this.timers = timers;
        this.contacts = contacts;
        this.policies = policies;
        this.outbox = outbox;
        this.clock = engines.start(TABLE, keys -> fireDue(keys.stream().map(SlaTimer.Key::contactId).distinct().toList()));
    }

    /** After a commit: timers whose next firing moved, to the engine. */
    public void schedule(Collection<SlaTimer> changed) {
        clock.schedule(changed.stream().map(t -> new TimerEngine.Due<>(t.key(), t.partition, t.nextFireAt)).toList());
    }

    /** A consumed contact event: its {@code ce_id}, the event, and the partition it came from (its timers' owner). */
    public record Consumed(String eventId, ContactEvent event, int partition) {
    }

    /**
     * Applies events in record order; returns the timers they touched, for the clock. Consecutive
     * {@code contact.received} (most of any burst) go together through the set-based path
     * ({@link #received(List)}), and so do consecutive other events ({@link #others(List)}): a contact's
     * events keep their order, and a transaction of 500 costs a handful of statements, not a handful each.
     */
    public Uni<List<SlaTimer>> apply(List<Consumed> events) {
        List<SlaTimer> moved = new ArrayList<>();
        Uni<Void> chain = Uni.createFrom().voidItem();
        List<Consumed> run = new ArrayList<>();
        for (Consumed e : events) {
            if (!run.isEmpty() && isReceived(e) != isReceived(run.get(0))) {
                chain = applyRun(chain, run, moved);
                run = new ArrayList<>();
            }
            run.add(e);
        }
        return applyRun(chain, run, moved).replaceWith(moved);
    }

    private Uni<Void> applyRun(Uni<Void> chain, List<Consumed> run, List<SlaTimer> moved) {
        if (run.isEmpty()) {
            return chain;
        }
        if (isReceived(run.get(0))) {
            List<Received> received = run.stream().map(e -> new Received((ContactEvent.Received) e.event(), e.partition()))
                    .toList();
            return chain.chain(() -> received(received).invoke(moved::addAll)).replaceWithVoid();
        }
        return chain.chain(() -> others(run).invoke(moved::addAll)).replaceWithVoid();
    }

    private static boolean isReceived(Consumed e) {
        return e.event() instanceof ContactEvent.Received;
    }

    /**
     * Events other than {@code contact.received}, in record order, set-based: their contacts, and every timer
     * they have had (locked against the clock firing them meanwhile), read with one statement each; each event
     * applied in turn to its contact's model (one model a contact for the whole run, as the what-if replay
     * runs it); then the contacts and changed timers flushed together, the new timers inserted with one
     * statement and the events appended with one. One event at a time, a reply cost five round trips and the
     * consumer fell behind at 50 contacts a second on the whole stack (bench/README.md, issue 31).
     */
    private Uni<List<SlaTimer>> others(List<Consumed> run) {
        List<String> ids = run.stream().map(e -> e.event().contactId()).distinct().toList();
        Set<Integer> versions = new TreeSet<>();
        for (Consumed e : run) {
            if (e.event() instanceof ContactEvent.Updated u) {
                versions.add(u.policyVersion());
            }
        }
        return Multi.createFrom().iterable(versions).onItem().transformToUniAndConcatenate(policies::await).collect().last()
                .chain(() -> contacts.byIds(ids))
                .flatMap(known -> known.isEmpty() ? Uni.createFrom().item(new Decided())
                        : timers.allForUpdate(known.keySet()).map(rows -> decide(run, known, rows)))
                .flatMap(decided -> timers.insertAll(decided.fresh)
                        .chain(() -> outbox.appendAll(decided.events, Instant.now()))
                        .replaceWith(List.copyOf(decided.touched)));
    }

    /** What a run of events decided: timers to insert, every timer touched, and the events, in order. */
    private static final class Decided {
        final List<SlaTimer> fresh = new ArrayList<>();
        final Set<SlaTimer> touched = new LinkedHashSet<>();
        final List<Outbox.Entry> events = new ArrayList<>();
    }

    /** One contact's model through a run, with its rows by model timer (new ones added as the model starts them). */
    private record Model(SlaContact contact, ContactSla sla, Map<Timer, SlaTimer> rows) {
    }

    private Decided decide(List<Consumed> run, Map<String, SlaContact> known, List<SlaTimer> rows) {
        Map<String, List<SlaTimer>> rowsOf = new HashMap<>();
        for (SlaTimer row : rows) {
            rowsOf.computeIfAbsent(row.contactId, id -> new ArrayList<>()).add(row);
        }
        Map<String, Model> models = new HashMap<>();
        Decided decided = new Decided();
        for (Consumed e : run) {
            String id = e.event().contactId();
            SlaContact contact = known.get(id);
            if (contact == null) {
                LOG.debugf("ignoring %s of a contact never received here: %s", e.event().type().ceType(), id);
                continue;
            }
            Model m = models.computeIfAbsent(id, x -> model(contact, rowsOf.getOrDefault(x, List.of())));
            List<ContactSla.Emitted> emitted = new ArrayList<>();
            m.sla().on(e.event(), e.eventId(), emitted);
            for (ContactSla.Emitted em : emitted) {
                decided.touched.add(m.rows().computeIfAbsent(em.timer(), t -> {
                    SlaTimer r = SlaTimer.of(t, contact.partition);
                    decided.fresh.add(r);
                    return r;
                }));
                decided.events.add(new Outbox.Entry(em.event(), idOf(em)));
            }
        }
        for (Model m : models.values()) {
            ContactSla sla = m.sla();
            SlaContact contact = m.contact();
            contact.status = sla.status.wire();
            contact.priority = sla.priority.wire();
            contact.tier = sla.tier;
            contact.category = sla.category;
            contact.team = sla.team;
            contact.policyVersion = sla.policyVersion;
            m.rows().forEach((t, row) -> row.take(t)); // the stored ones are flushed at commit, the fresh inserted
        }
        return decided;
    }

    private Model model(SlaContact contact, List<SlaTimer> rows) {
        Map<Timer, SlaTimer> stored = new IdentityHashMap<>();
        List<Timer> timersOf = new ArrayList<>();
        for (SlaTimer row : rows) {
            Timer t = row.model();
            stored.put(t, row);
            timersOf.add(t);
        }
        return new Model(contact, new ContactSla(contact.contactId, contact.channel(), contact.priority(), contact.tier,
                contact.category, contact.team, contact.status(), contact.policyVersion, timersOf, policies::version),
                stored);
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
                            firsts.stream().filter(r -> inserted.contains(r.event().contactId())).toList()));
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
    private Uni<List<SlaTimer>> start(List<Received> fresh) {
        List<SlaTimer> started = new ArrayList<>();
        List<Outbox.Entry> events = new ArrayList<>();
        for (Received r : fresh) {
            List<ContactSla.Emitted> emitted = new ArrayList<>();
            ContactSla.received(r.event(), policies::version, emitted);
            for (ContactSla.Emitted e : emitted) {
                started.add(SlaTimer.of(e.timer(), r.partition()));
                events.add(new Outbox.Entry(e.event(), idOf(e)));
            }
        }
        if (started.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        return timers.insertAll(started)
                .chain(() -> outbox.appendAll(events, Instant.now()))
                .replaceWith(started);
    }

    /**
     * Fires every timer of these contacts that is due by the database's clock, under row locks (rows
     * another transaction holds are skipped, and tried again by the engine): each warning and breach once.
     * The events go to the outbox with one statement: one insert each held the rows locked for a round trip
     * per event, and a consumer applying a reply to the same contacts waited that long (issue 31).
     */
    public Uni<List<SlaTimer>> fireDue(Collection<String> contactIds) {
        return timers.dueForUpdate(contactIds).flatMap(due -> {
            Instant now = due.now();
            List<Outbox.Entry> events = new ArrayList<>();
            for (SlaTimer row : due.timers()) {
                Timer t = row.model();
                List<ContactSla.Emitted> emitted = ContactSla.fire(t, now, policies.version(t.policyVersion));
                row.take(t);
                for (ContactSla.Emitted e : emitted) {
                    events.add(new Outbox.Entry(e.event(), idOf(e)));
                }
            }
            return outbox.appendAll(events, now).replaceWith(due.timers());
        });
    }

    /** An event's id: contact, metric, cycle, and what the decision says happened (and, where given, why). */
    private static UUID idOf(ContactSla.Emitted e) {
        Object[] parts = new Object[3 + e.kind().size()];
        parts[0] = e.timer().contactId;
        parts[1] = e.timer().metric;
        parts[2] = e.timer().cycle;
        for (int i = 0; i < e.kind().size(); i++) {
            parts[3 + i] = e.kind().get(i);
        }
        return Outbox.idOf(parts);
    }
}
