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
     * ({@link #received(List)}), every other event one at a time after the ones before it, so a contact's
     * events keep their order.
     */
    public Uni<List<SlaTimer>> apply(List<Consumed> events) {
        List<SlaTimer> moved = new ArrayList<>();
        Uni<Void> chain = Uni.createFrom().voidItem();
        List<Received> run = new ArrayList<>();
        for (Consumed e : events) {
            if (e.event() instanceof ContactEvent.Received r) {
                run.add(new Received(r, e.partition()));
                continue;
            }
            chain = received(chain, run, moved);
            run = new ArrayList<>();
            chain = chain.chain(() -> on(e.event(), e.eventId(), e.partition()).invoke(moved::addAll)).replaceWithVoid();
        }
        return received(chain, run, moved).replaceWith(moved);
    }

    private Uni<Void> received(Uni<Void> chain, List<Received> run, List<SlaTimer> moved) {
        return run.isEmpty() ? chain : chain.chain(() -> received(run).invoke(moved::addAll)).replaceWithVoid();
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
            Uni<?> ready = event instanceof ContactEvent.Updated u ? policies.await(u.policyVersion())
                    : Uni.createFrom().voidItem();
            return ready.chain(() -> timers.allForUpdate(contact.contactId)).flatMap(rows -> {
                Map<Timer, SlaTimer> stored = new IdentityHashMap<>();
                List<Timer> models = new ArrayList<>();
                for (SlaTimer row : rows) {
                    Timer t = row.model();
                    stored.put(t, row);
                    models.add(t);
                }
                ContactSla sla = new ContactSla(contact.contactId, contact.channel(), contact.priority(), contact.tier,
                        contact.category, contact.team, contact.status(), contact.policyVersion, models, policies::version);
                List<ContactSla.Emitted> emitted = new ArrayList<>();
                sla.on(event, eventId, emitted);
                contact.status = sla.status.wire();
                contact.priority = sla.priority.wire();
                contact.tier = sla.tier;
                contact.category = sla.category;
                contact.team = sla.team;
                contact.policyVersion = sla.policyVersion;
                return store(stored, emitted, contact.partition);
            });
        });
    }

    /** Writes back what the model decided: changed rows in place, new ones inserted, then their events. */
    private Uni<List<SlaTimer>> store(Map<Timer, SlaTimer> stored, List<ContactSla.Emitted> emitted, int partition) {
        stored.forEach((t, row) -> row.take(t));
        Set<SlaTimer> touched = new LinkedHashSet<>();
        List<SlaTimer> fresh = new ArrayList<>();
        for (ContactSla.Emitted e : emitted) {
            SlaTimer row = stored.computeIfAbsent(e.timer(), t -> {
                SlaTimer r = SlaTimer.of(t, partition);
                fresh.add(r);
                return r;
            });
            touched.add(row);
        }
        Uni<Void> chain = Uni.createFrom().voidItem();
        for (SlaTimer row : fresh) {
            chain = chain.chain(() -> timers.persist(row)).replaceWithVoid();
        }
        for (ContactSla.Emitted e : emitted) {
            chain = chain.chain(() -> outbox.append(e.event(), Instant.now(), idOf(e))).replaceWithVoid();
        }
        return chain.replaceWith(List.copyOf(touched));
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
     */
    public Uni<List<SlaTimer>> fireDue(Collection<String> contactIds) {
        return timers.dueForUpdate(contactIds).flatMap(due -> {
            Instant now = due.now();
            Uni<Void> chain = Uni.createFrom().voidItem();
            for (SlaTimer row : due.timers()) {
                Timer t = row.model();
                List<ContactSla.Emitted> emitted = ContactSla.fire(t, now, policies.version(t.policyVersion));
                row.take(t);
                for (ContactSla.Emitted e : emitted) {
                    chain = chain.chain(() -> outbox.append(e.event(), now, idOf(e))).replaceWithVoid();
                }
            }
            return chain.replaceWith(due.timers());
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
