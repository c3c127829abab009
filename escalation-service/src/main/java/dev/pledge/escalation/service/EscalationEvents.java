package dev.pledge.escalation.service;

import static dev.pledge.escalation.service.Ladder.micros;

import dev.pledge.escalation.Escalation;
import dev.pledge.escalation.EscalationContact;
import dev.pledge.events.ContactEvent;
import dev.pledge.events.ContactStatus;
import dev.pledge.events.PledgeEvent;
import dev.pledge.events.SlaEvent;
import dev.pledge.events.SlaMetric;
import dev.pledge.outcomes.EscalationRules;
import dev.pledge.outcomes.EscalationStanding;
import dev.pledge.policy.Policy;
import java.time.Instant;
import java.util.List;
import java.util.function.IntFunction;
import org.jboss.logging.Logger;

/**
 * What each consumed event does to the contacts of one transaction ({@link Changes}): contacts created,
 * rules evaluated under the policy version the event names ({@code contact.received}, {@code contact.updated}
 * and every SLA event carry one; other events use the contact's latest), the ladder raised, progressed,
 * withdrawn or resolved ({@link Ladder}), complaint steps recorded ({@link Complaints}). No I/O:
 * {@link Escalations} loads and writes around it.
 */
final class EscalationEvents {
    private static final Logger LOG = Logger.getLogger(EscalationEvents.class);

    private final IntFunction<Policy> policies;

    EscalationEvents(IntFunction<Policy> policies) {
        this.policies = policies;
    }

    /**
     * Applies one consumed event. A {@code contact.received} creates the contact (a second one of a
     * contact is passed over) and is added to {@code received}; an SLA event of a contact not here yet
     * is added to {@code early} (its {@code contact.received} is still on its way on the other topic).
     */
    void on(Changes w, Escalations.Consumed record, List<ContactEvent.Received> received, List<Escalations.Consumed> early) {
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
                early.add(record);
            } else {
                LOG.debugf("ignoring %s of a contact never received here: %s", event.type().ceType(), id);
            }
            return;
        }
        on(w, eventId, event);
    }

    /** Applies an event of a contact that is in {@code w}. */
    void on(Changes w, String eventId, PledgeEvent event) {
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
        return policies.apply(version);
    }

    /** The contact an event decides something about, or null (it decides nothing here). */
    static String contactId(PledgeEvent event) {
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

    /** The policy version an event names, or null. */
    static Integer version(PledgeEvent event) {
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
