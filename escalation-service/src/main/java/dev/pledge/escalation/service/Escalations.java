package dev.pledge.escalation.service;

import static dev.pledge.escalation.service.Ladder.micros;

import dev.pledge.consumer.EventRecord;
import dev.pledge.escalation.Complaint;
import dev.pledge.escalation.Escalation;
import dev.pledge.escalation.EscalationDecision;
import dev.pledge.escalation.EscalationContact;
import dev.pledge.escalation.repository.EscalationRepository;
import dev.pledge.events.ContactEvent;
import dev.pledge.events.ContactStatus;
import dev.pledge.events.PledgeEvent;
import dev.pledge.events.SlaEvent;
import dev.pledge.events.SlaMetric;
import dev.pledge.outbox.Outbox;
import dev.pledge.outcomes.EscalationRules;
import dev.pledge.outcomes.EscalationStanding;
import dev.pledge.policy.Policy;
import dev.pledge.policy.feed.PolicyFeed;
import dev.pledge.web.Paging;
import dev.pledge.web.ProblemException;
import io.quarkus.hibernate.reactive.panache.Panache;
import dev.pledge.outbox.UnitOfWork;
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
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.jboss.logging.Logger;

/**
 * escalation-service's state machine over contact and SLA events, and the firing of due deadlines.
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

    public Escalations(EscalationRepository repository, PolicyFeed policies, Outbox outbox, Crises crises,
            UnitOfWork unitOfWork, Timers timers) {
        this.repository = repository;
        this.policies = policies;
        this.outbox = outbox;
        this.crises = crises;
        this.unitOfWork = unitOfWork;
        this.clock = timers.start(TABLE, this::fireDue);
    }

    /** After a commit: contacts whose next deadline moved, to the engine. */
    public void schedule(Collection<EscalationContact> moved) {
        clock.schedule(moved.stream().map(c -> new TimerEngine.Due<>(c.contactId, c.partition, c.nextFireAt)).toList());
    }

    /** Applies events in record order; returns the contacts whose next due time moved, for the clock. */
    public Uni<List<EscalationContact>> apply(List<EventRecord> events) {
        Set<String> ids = new LinkedHashSet<>();
        Set<Integer> versions = new TreeSet<>();
        for (EventRecord e : events) {
            String id = contactId(e.event());
            if (id != null) {
                ids.add(id);
            }
            Integer v = version(e.event());
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
                    List<EventRecord> early = new ArrayList<>();
                    for (EventRecord e : events) {
                        on(changes, e, received, early);
                    }
                    return afterReceived(changes, received)
                            .chain(() -> {
                                // read ahead of their contact in this very poll: apply them now
                                List<EscalationRepository.Early> waiting = new ArrayList<>();
                                for (EventRecord e : early) {
                                    if (changes.contacts.containsKey(e.event().key())) {
                                        on(changes, e.eventId(), e.event());
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
                Integer v = version(e.event());
                if (v != null) {
                    versions.add(v);
                }
            });
            return Multi.createFrom().iterable(versions).onItem().transformToUniAndConcatenate(policies::await)
                    .collect().last().invoke(() -> {
                        LOG.debugf("applying %d SLA event(s) read before their contact", early.size());
                        early.forEach(e -> on(w, e.eventId(), e.event()));
                    }).replaceWithVoid();
        });
    }

    private void on(Changes w, EventRecord record, List<ContactEvent.Received> received, List<EventRecord> early) {
        PledgeEvent event = record.event();
        String eventId = record.eventId();
        if (event instanceof ContactEvent.Received r) {
            if (w.contacts.containsKey(r.contactId())) {
                return; // received twice (another ce_id): the first one counts
            }
            received(w, r, record.partition(), eventId);
            received.add(r);
            return;
        }
        String id = contactId(event);
        if (id == null) {
            return;
        }
        if (!w.contacts.containsKey(id)) {
            if (event instanceof SlaEvent) {
                early.add(record); // its contact.received is still on its way on the other topic
            } else {
                LOG.debugf("ignoring %s of a contact never received here: %s", event.type().ceType(), id);
            }
            return;
        }
        on(w, eventId, event);
    }

    private void on(Changes w, String eventId, PledgeEvent event) {
        EscalationContact c = w.contacts.get(contactId(event));
        if (event instanceof ContactEvent.Updated u) {
            updated(w, c, u, eventId);
        } else if (event instanceof ContactEvent.AgentReplied a) {
            c.customerReplies = 0;
            Complaints.acknowledged(w, c, a.occurredAt());
            Ladder.progress(w, c, policy(c.policyVersion), a.occurredAt());
        } else if (event instanceof ContactEvent.CustomerReplied r) {
            c.customerReplies++;
            EscalationRules.Facts facts = facts(c, null, null, null, null);
            decide(w, c, Policy.Trigger.CUSTOMER_REPLIED, facts, c.policyVersion, r.occurredAt(), eventId);
        } else if (event instanceof ContactEvent.StatusChanged s) {
            statusChanged(w, c, s, eventId);
        } else if (event instanceof ContactEvent.PromiseKept k) {
            Ladder.progress(w, c, policy(c.policyVersion), k.occurredAt());
        } else if (event instanceof SlaEvent.Warning warning) {
            decide(w, c, Policy.Trigger.SLA_WARNING, facts(c, null, null, warning.thresholdPercent(), warning.metric()),
                    warning.policyVersion(), warning.at(), eventId);
        } else if (event instanceof SlaEvent.Breached breach) {
            String timer = EscalationStanding.breachOf(breach);
            if (breach.metric() == SlaMetric.PROMISE) {
                Complaints.promiseBroken(w, c, policy(breach.policyVersion()), breach.policyVersion(), breach.deadline(),
                        timer);
            }
            decide(w, c, Policy.Trigger.SLA_BREACHED, facts(c, null, null, null, breach.metric()),
                    breach.policyVersion(), breach.at(), eventId, timer);
        } else if (event instanceof SlaEvent.Met met && Boolean.TRUE.equals(met.correctsBreach())) {
            // sla-service decides outcomes; a breach it corrected no longer stands here either
            String timer = EscalationStanding.breachOf(met);
            Complaints.promiseCorrected(w, c, timer, met.at());
            Escalation open = w.open.get(c.contactId);
            Ladder.withdraw(w, c, timer, policy(open == null ? c.policyVersion : open.policyVersion), met.at(), eventId);
        }
    }

    private void received(Changes w, ContactEvent.Received r, int partition, String eventId) {
        EscalationContact c = new EscalationContact();
        c.contactId = r.contactId();
        c.partition = partition;
        c.customerId = r.customer() == null ? null : r.customer().id();
        c.channel = r.channel().wire();
        c.priority = r.priority().wire();
        c.tier = r.customer() == null ? null : r.customer().tier();
        c.category = r.category();
        c.team = r.team();
        c.status = ContactStatus.OPEN.wire();
        c.repeatOf = r.repeatOf();
        c.policyVersion = r.policyVersion();
        c.receivedAt = micros(r.occurredAt());
        w.create(c);
        Policy policy = policy(r.policyVersion());
        Complaints.open(w, c, policy, r.policyVersion(), r.occurredAt());
        EscalationRules.Facts facts = facts(c, r.subject(), r.body(), null, null);
        decide(w, c, Policy.Trigger.CONTACT_RECEIVED, facts, r.policyVersion(), r.occurredAt(), eventId);
    }

    private void updated(Changes w, EscalationContact c, ContactEvent.Updated u, String eventId) {
        if (u.priority() != null) {
            c.priority = u.priority().wire();
        }
        if (u.tier() != null) {
            c.tier = u.tier();
        }
        if (u.category() != null) {
            c.category = u.category();
        }
        if (u.team() != null) {
            c.team = u.team();
        }
        c.policyVersion = u.policyVersion();
        Policy policy = policy(u.policyVersion());
        Complaints.assessed(w, c, u.occurredAt());
        Complaints.open(w, c, policy, u.policyVersion(), u.occurredAt());
        Ladder.progress(w, c, policy, u.occurredAt());
        decide(w, c, Policy.Trigger.CONTACT_UPDATED, facts(c, null, null, null, null), u.policyVersion(),
                u.occurredAt(), eventId);
    }

    private void statusChanged(Changes w, EscalationContact c, ContactEvent.StatusChanged s, String eventId) {
        c.status = s.to().wire();
        switch (s.to()) {
            case RESOLVED -> {
                Complaints.responded(w, c, s.occurredAt());
                Ladder.resolve(w, c, s.occurredAt(), eventId, "contact resolved");
            }
            case CLOSED -> {
                Complaints.closed(w, c, s.occurredAt());
                Ladder.resolve(w, c, s.occurredAt(), eventId, "contact closed");
            }
            case REOPENED -> {
                // docs/outcomes.md: the response was not accepted, so the complaint is open again (ISO 10002)
                Complaints.reopened(w, c);
                Ladder.progress(w, c, policy(c.policyVersion), s.occurredAt());
            }
            case PENDING, ON_HOLD -> {
                Complaints.assessed(w, c, s.occurredAt());
                Ladder.progress(w, c, policy(c.policyVersion), s.occurredAt());
            }
            default -> Ladder.progress(w, c, policy(c.policyVersion), s.occurredAt());
        }
    }

    private void decide(Changes w, EscalationContact c, Policy.Trigger trigger, EscalationRules.Facts facts, int version,
            Instant at, String eventId) {
        decide(w, c, trigger, facts, version, at, eventId, null);
    }

    private void decide(Changes w, EscalationContact c, Policy.Trigger trigger, EscalationRules.Facts facts, int version,
            Instant at, String eventId, String breach) {
        Policy policy = policy(version);
        if (policy.escalation() == null || !EscalationRules.apply(c.status(), facts.metric())) {
            return;
        }
        Ladder.raise(w, c, EscalationRules.decide(policy.escalation(), trigger, facts), policy, version, at, eventId, breach);
    }

    private static EscalationRules.Facts facts(EscalationContact c, String subject, String body, Integer warningPercent,
            SlaMetric metric) {
        return new EscalationRules.Facts(c.channel(), c.priority(), c.tier, c.category, subject, body, c.repeatOf,
                warningPercent, metric, c.customerReplies);
    }

    private Policy policy(int version) {
        return policies.version(version);
    }

    private static String contactId(PledgeEvent event) {
        if (event instanceof ContactEvent.PromiseMade) {
            return null; // decides nothing here (its breach does): no need to lock the contact
        }
        if (event instanceof ContactEvent c) {
            return c.contactId();
        }
        if (event instanceof SlaEvent.Warning || event instanceof SlaEvent.Breached
                || event instanceof SlaEvent.Met m && Boolean.TRUE.equals(m.correctsBreach())) {
            return ((SlaEvent) event).contactId();
        }
        return null; // other SLA events decide nothing here
    }

    private static Integer version(PledgeEvent event) {
        if (event instanceof ContactEvent.Received r) {
            return r.policyVersion();
        }
        if (event instanceof ContactEvent.Updated u) {
            return u.policyVersion();
        }
        if (event instanceof SlaEvent.Warning w) {
            return w.policyVersion();
        }
        if (event instanceof SlaEvent.Breached b) {
            return b.policyVersion();
        }
        return null;
    }
}
