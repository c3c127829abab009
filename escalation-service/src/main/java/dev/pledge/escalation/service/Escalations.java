package dev.pledge.escalation.service;

import dev.pledge.escalation.Complaint;
import dev.pledge.escalation.Escalation;
import dev.pledge.escalation.EscalationContact;
import dev.pledge.escalation.EscalationDecision;
import dev.pledge.escalation.repository.EscalationRepository;
import dev.pledge.events.ContactEvent;
import dev.pledge.events.PledgeEvent;
import dev.pledge.outbox.Outbox;
import dev.pledge.outbox.UnitOfWork;
import dev.pledge.policy.Policy;
import dev.pledge.policy.feed.PolicyFeed;
import dev.pledge.timers.TimerEngine;
import dev.pledge.timers.TimerTable;
import dev.pledge.timers.TimerTable.KeyColumn;
import dev.pledge.timers.Timers;
import dev.pledge.web.Paging;
import dev.pledge.web.ProblemException;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.runtime.Startup;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.jboss.logging.Logger;

/**
 * escalation-service's work over contact and SLA events ({@link EscalationEvents} decides what each does),
 * and the firing of due deadlines.
 * Each method runs in the caller's transaction and works set-based: one statement locks the batch's
 * contacts, one reads their unresolved escalations, one their complaints; everything else happens in
 * memory and is written with one statement per table ({@link Changes#write}).
 *
 * <p>Policy versions: rules are evaluated under the version the event names (contact.received,
 * contact.updated and every SLA event carry one), other events under the contact's latest.
 */
@ApplicationScoped
@Startup // its timer engine runs from the start, whether or not an event has come
public class Escalations {
    private static final Logger LOG = Logger.getLogger(Escalations.class);
    /**
     * Deadlines (acknowledgement, re-escalation, complaint) as the timer engine reads them: one timer per
     * contact, due at the earliest of them ({@code esc_contact.next_fire_at}).
     */
    static final TimerTable<String> TABLE = new TimerTable<>("escalation", "esc_contact",
            List.of(KeyColumn.text("contact_id")), row -> row.getString(0), key -> new Object[] {key}, "(warm-up)");

    private final EscalationRepository repository;
    private final PolicyFeed policies;
    private final Outbox outbox;
    private final Crises crises;
    private final UnitOfWork unitOfWork;
    private final TimerEngine<String> clock;
    private final EscalationEvents decisions;

    public Escalations(EscalationRepository repository, PolicyFeed policies, Outbox outbox, Crises crises,
            UnitOfWork unitOfWork, Timers timers) {
        this.repository = repository;
        this.policies = policies;
        this.outbox = outbox;
        this.crises = crises;
        this.unitOfWork = unitOfWork;
        this.clock = timers.start(TABLE, this::fireDue);
        this.decisions = new EscalationEvents(policies::version);
    }

    /** A consumed event: its {@code ce_id}, the event, and the partition it came from (its contact's timers go there). */
    public record Consumed(String eventId, PledgeEvent event, int partition) {
    }

    /**
     * Whether an event can decide anything here: every contact event but {@code promise-made} (its breach
     * does), and of SLA events a warning, a breach and a met that corrects a breach. The consumer passes the
     * others over before any transaction (in the stack's mix about four in ten of what arrives: timers started,
     * targets met).
     */
    public static boolean decidesAnything(PledgeEvent event) {
        return EscalationEvents.contactId(event) != null;
    }

    /** After a commit: contacts whose next deadline moved, to the engine. */
    public void schedule(Collection<EscalationContact> moved) {
        clock.schedule(moved.stream().map(c -> new TimerEngine.Due<>(c.contactId, c.partition, c.nextFireAt)).toList());
    }

    /** Applies events in record order; returns the contacts whose next due time moved, for the clock. */
    public Uni<List<EscalationContact>> apply(List<Consumed> events) {
        Set<String> ids = new LinkedHashSet<>();
        Set<Integer> versions = new TreeSet<>();
        for (Consumed e : events) {
            String id = EscalationEvents.contactId(e.event());
            if (id != null) {
                ids.add(id);
            }
            Integer v = EscalationEvents.version(e.event());
            if (v != null) {
                versions.add(v);
            }
        }
        if (ids.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        return Multi.createFrom().iterable(versions).onItem().transformToUniAndConcatenate(policies::await)
                .collect().last()
                .chain(() -> repository.load(ids, false)).map(Changes::new)
                .chain(changes -> {
                    List<ContactEvent.Received> received = new ArrayList<>();
                    List<Consumed> early = new ArrayList<>();
                    for (Consumed e : events) {
                        decisions.on(changes, e, received, early);
                    }
                    return afterReceived(changes, received)
                            .chain(() -> {
                                // read ahead of their contact in this very poll: apply them now
                                List<EscalationRepository.Early> waiting = new ArrayList<>();
                                for (Consumed e : early) {
                                    if (changes.contacts.containsKey(e.event().key())) {
                                        decisions.on(changes, e.eventId(), e.event());
                                    } else {
                                        waiting.add(new EscalationRepository.Early(e.eventId(), e.event()));
                                    }
                                }
                                return repository.storeEarly(waiting);
                            })
                            .chain(() -> crises.count(received))
                            .chain(() -> changes.write(repository, outbox));
                });
    }

    /** Fires what is due by the database's clock for these contacts (rows another transaction holds are skipped). */
    public Uni<List<EscalationContact>> fireDue(Collection<String> contactIds) {
        return repository.loadDue(contactIds).chain(due -> {
            Changes w = new Changes(due.loaded());
            Instant now = due.now();
            for (EscalationContact c : w.contacts.values()) {
                Complaint k = w.complaints.get(c.contactId);
                if (k != null && k.nextFireAt != null && !k.nextFireAt.isAfter(now)) {
                    Complaints.fire(w, c, k, policies.version(k.policyVersion), now);
                }
                Escalation e = w.open.get(c.contactId);
                // one step per pass: a deadline that is still past after it fires again on the next pass
                if (e != null && e.nextFireAt != null && !e.nextFireAt.isAfter(now)) {
                    Ladder.fire(w, c, e, policies.version(e.policyVersion), now);
                }
                w.touch(c);
            }
            return w.write(repository, outbox);
        });
    }

    /** What an acknowledgement did: the escalation as it now stands, and the contacts whose deadline moved. */
    private record Acknowledgement(Escalation escalation, List<EscalationContact> moved) {
    }

    /** Escalations by state, level and team (null: any), newest first. */
    public Uni<List<Escalation>> list(String state, String level, String team, Paging paging) {
        return Panache.withSession(() -> repository.list(state, level, team, paging));
    }

    /** A contact's escalations, the decisions about them, and its complaint (null: none). */
    public record History(List<Escalation> escalations, List<EscalationDecision> decisions, Complaint complaint) {
    }

    /** A contact's history; 404 when it has neither an escalation nor a complaint. */
    public Uni<History> ofContact(String contactId) {
        return Panache.withSession(() -> repository.ofContact(contactId)
                .chain(list -> repository.decisionsOfContact(contactId)
                        .chain(decisions -> repository.complaint(contactId).map(k -> {
                            if (list.isEmpty() && k == null) {
                                throw ProblemException.notFound("escalations or complaint of contact " + contactId);
                            }
                            return new History(list, decisions, k);
                        }))));
    }

    /**
     * Acknowledges an escalation, in a transaction of its own: an open one stops climbing; one already
     * acknowledged is answered as it stands; a resolved one, or none, fails with a problem.
     */
    public Uni<Escalation> acknowledge(String escalationId, String by) {
        return unitOfWork.run(() -> acknowledgeInTransaction(escalationId, by), a -> schedule(a.moved()))
                .map(Acknowledgement::escalation);
    }

    private Uni<Acknowledgement> acknowledgeInTransaction(String escalationId, String by) {
        return repository.contactOf(escalationId).chain(contactId -> {
            if (contactId == null) {
                throw ProblemException.notFound("escalation " + escalationId);
            }
            return repository.load(List.of(contactId), false).map(Changes::new).chain(w -> {
                Escalation e = w.open.get(contactId);
                if (e == null || !e.escalationId.equals(escalationId)) {
                    throw ProblemException.conflict("escalation " + escalationId
                            + " is resolved; there is nothing to acknowledge");
                }
                EscalationContact c = w.contacts.get(contactId);
                Ladder.acknowledge(w, c, e, policies.version(e.policyVersion), by, Instant.now());
                return w.write(repository, outbox).map(moved -> new Acknowledgement(e, moved));
            });
        });
    }

    /**
     * SLA events that were read before their contact (two topics: a consumer catching up may read one
     * ahead of the other) were kept aside; now that their contacts are here, they are applied, in the
     * order they were stored, and removed.
     */
    private Uni<Void> afterReceived(Changes w, List<ContactEvent.Received> received) {
        if (received.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        List<String> ids = received.stream().map(ContactEvent.Received::contactId).toList();
        return repository.takeEarly(ids).chain(early -> {
            if (early.isEmpty()) {
                return Uni.createFrom().voidItem();
            }
            Set<Integer> versions = new TreeSet<>();
            early.forEach(e -> {
                Integer v = EscalationEvents.version(e.event());
                if (v != null) {
                    versions.add(v);
                }
            });
            return Multi.createFrom().iterable(versions).onItem().transformToUniAndConcatenate(policies::await)
                    .collect().last().invoke(() -> {
                        LOG.debugf("applying %d SLA event(s) read before their contact", early.size());
                        early.forEach(e -> decisions.on(w, e.eventId(), e.event()));
                    }).replaceWithVoid();
        });
    }
}
