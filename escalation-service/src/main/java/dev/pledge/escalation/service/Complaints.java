package dev.pledge.escalation.service;

import static dev.pledge.escalation.service.Ladder.micros;

import dev.pledge.escalation.Complaint;
import dev.pledge.escalation.EscalationContact;
import dev.pledge.events.EscalationEvent;
import dev.pledge.outcomes.EscalationRules;
import dev.pledge.policy.BusinessCalendar;
import dev.pledge.policy.Policy;
import java.time.Instant;

/**
 * ISO 10002 complaint handling (deadlines by default those of ASIC RG 271: acknowledge within 24
 * hours, final response within 30 calendar days). A contact of a complaint category becomes a
 * complaint; its steps are recorded from events; a missed deadline emits
 * {@code complaint.deadline-missed} and sets off the rules on {@code complaint-deadline-missed}.
 */
final class Complaints {
    static final String ACKNOWLEDGEMENT = "acknowledgement";
    static final String FINAL_RESPONSE = "final-response";

    private Complaints() {
    }

    /** A contact received, or moved, into a complaint category: its deadlines start from {@code from}. */
    static void open(Changes w, EscalationContact c, Policy policy, int policyVersion, Instant from) {
        Policy.Complaints rules = policy.complaints();
        if (rules != null && rules.categories().contains(c.category)) {
            open(w, c, policy, policyVersion, from, c.category);
        }
    }

    /**
     * A promise broken at {@code due}: a complaint of the policy's {@code brokenPromiseCategory} ("no
     * follow-up" by default), unless the contact is a complaint already or the policy names none.
     */
    static void promiseBroken(Changes w, EscalationContact c, Policy policy, int policyVersion, Instant due,
            String promise) {
        Policy.Complaints rules = policy.complaints();
        if (rules != null && rules.brokenPromiseCategory() != null) {
            open(w, c, policy, policyVersion, due, rules.brokenPromiseCategory(), promise);
        }
    }

    /**
     * The breach of {@code promise} was corrected (kept before its due time, the record came late): the
     * complaint it alone made is withdrawn; its deadlines no longer run.
     */
    static void promiseCorrected(Changes w, EscalationContact c, String promise, Instant at) {
        Complaint k = w.complaints.get(c.contactId);
        if (k != null && promise.equals(k.cause) && k.withdrawnAt == null) {
            k.withdrawnAt = micros(at);
            k.reschedule();
            w.touch(c);
        }
    }

    private static void open(Changes w, EscalationContact c, Policy policy, int policyVersion, Instant from,
            String category) {
        open(w, c, policy, policyVersion, from, category, null);
    }

    private static void open(Changes w, EscalationContact c, Policy policy, int policyVersion, Instant from,
            String category, String cause) {
        Policy.Complaints rules = policy.complaints();
        if (w.complaints.containsKey(c.contactId)) {
            return;
        }
        BusinessCalendar calendar = policy.calendar(rules.calendar());
        Complaint k = new Complaint();
        k.contactId = c.contactId;
        k.category = category;
        k.calendar = rules.calendar();
        k.policyVersion = policyVersion;
        k.receivedAt = micros(from);
        k.ackDeadline = micros(calendar.add(from, rules.acknowledgeWithin()));
        k.finalDeadline = micros(calendar.add(from, rules.finalResponseWithin()));
        k.cause = cause;
        k.reschedule();
        w.create(k);
        w.touch(c);
    }

    static void acknowledged(Changes w, EscalationContact c, Instant at) {
        step(w, c, k -> {
            if (k.acknowledgedAt == null) {
                k.acknowledgedAt = micros(at);
            }
        });
    }

    static void assessed(Changes w, EscalationContact c, Instant at) {
        step(w, c, k -> {
            if (k.assessedAt == null) {
                k.assessedAt = micros(at);
            }
        });
    }

    static void responded(Changes w, EscalationContact c, Instant at) {
        step(w, c, k -> {
            if (k.respondedAt == null) {
                k.respondedAt = micros(at);
            }
        });
    }

    /**
     * The contact was reopened: the customer did not accept the response, so the complaint is open again
     * (ISO 10002: closing needs acceptance or a final position). Its final-response deadline runs again,
     * unless already missed.
     */
    static void reopened(Changes w, EscalationContact c) {
        step(w, c, k -> {
            k.respondedAt = null;
            k.closedAt = null;
        });
    }

    static void closed(Changes w, EscalationContact c, Instant at) {
        step(w, c, k -> {
            if (k.respondedAt == null) {
                k.respondedAt = micros(at);
            }
            if (k.closedAt == null) {
                k.closedAt = micros(at);
            }
        });
    }

    /**
     * Fires whichever deadline passed by {@code now} (the database's clock): each is reported once,
     * and each sets off the escalation rules on {@code complaint-deadline-missed}.
     */
    static void fire(Changes w, EscalationContact c, Complaint k, Policy policy, Instant now) {
        if (k.acknowledgedAt == null && !k.ackMissed && !k.ackDeadline.isAfter(now)) {
            k.ackMissed = true;
            missed(w, c, k, policy, ACKNOWLEDGEMENT, k.ackDeadline, now);
        }
        if (k.respondedAt == null && !k.finalMissed && !k.finalDeadline.isAfter(now)) {
            k.finalMissed = true;
            missed(w, c, k, policy, FINAL_RESPONSE, k.finalDeadline, now);
        }
        k.reschedule();
        w.touch(c);
    }

    private static void missed(Changes w, EscalationContact c, Complaint k, Policy policy, String step,
            Instant deadline, Instant now) {
        w.emit(new EscalationEvent.ComplaintDeadlineMissed(c.contactId, step, deadline, now, k.policyVersion),
                c.contactId, "complaint", step, deadline);
        if (policy.escalation() != null) {
            EscalationRules.Facts facts = EscalationRules.Facts.of(c.channel(), c.priority(), c.tier, c.category);
            Ladder.raise(w, c, EscalationRules.decide(policy.escalation(), Policy.Trigger.COMPLAINT_DEADLINE_MISSED, facts), policy,
                    k.policyVersion, now, null);
        }
    }

    private static void step(Changes w, EscalationContact c, java.util.function.Consumer<Complaint> change) {
        Complaint k = w.complaints.get(c.contactId);
        if (k != null) {
            change.accept(k);
            k.reschedule();
            w.touch(c);
        }
    }
}
