package dev.pledge.escalation.rest;

import dev.pledge.escalation.Complaint;
import dev.pledge.escalation.Crisis;
import dev.pledge.escalation.Escalation;
import dev.pledge.escalation.EscalationDecision;
import dev.pledge.escalation.service.Escalations;
import java.time.Instant;
import java.util.List;

/** What escalation-service's endpoints answer: its rows as people read them. */
final class EscalationViews {
    private EscalationViews() {
    }

    /** An escalation as people read it. */
    record EscalationView(String escalationId, String contactId, String level, String team, String state,
            String rule, String reason, Instant raisedAt, Instant ackDeadline, Instant acknowledgedAt,
            String acknowledgedBy, Instant nextDeadline, int repeats, Instant resolvedAt, int policyVersion) {
        static EscalationView of(Escalation e) {
            return new EscalationView(e.escalationId, e.contactId, e.level, e.team, e.state, e.rule, e.reason,
                    e.raisedAt, e.ackDeadline, e.acknowledgedAt, e.acknowledgedBy, e.nextFireAt, e.repeats,
                    e.resolvedAt, e.policyVersion);
        }
    }

    /** One decision, for audit: the rule, the triggering event's ce_id and the policy version. */
    record DecisionView(String escalationId, Instant at, String kind, String level, String team, String rule,
            String eventId, int policyVersion, String reason) {
        static DecisionView of(EscalationDecision d) {
            return new DecisionView(d.escalationId, d.at, d.kind, d.level, d.team, d.rule, d.eventId, d.policyVersion,
                    d.reason);
        }
    }

    record Step(String step, Instant at) {
    }

    /**
     * A complaint's ISO 10002 steps with their times (null: not yet), its deadlines and which were missed;
     * {@code cause}: the broken promise that made it a complaint (null: its category did), {@code withdrawnAt}:
     * when that promise's breach was corrected, and the complaint withdrawn with it.
     */
    record ComplaintView(String category, List<Step> steps, Instant acknowledgementDeadline,
            Instant finalResponseDeadline, boolean acknowledgementMissed, boolean finalResponseMissed,
            int policyVersion, String cause, Instant withdrawnAt) {
        static ComplaintView of(Complaint k) {
            List<Step> steps = List.of(new Step("received", k.receivedAt), new Step("acknowledged", k.acknowledgedAt),
                    new Step("assessed", k.assessedAt), new Step("responded", k.respondedAt),
                    new Step("closed", k.closedAt));
            return new ComplaintView(k.category, steps, k.ackDeadline, k.finalDeadline, k.ackMissed, k.finalMissed,
                    k.policyVersion, k.cause, k.withdrawnAt);
        }
    }

    record ContactEscalations(String contactId, List<EscalationView> escalations, List<DecisionView> decisions,
            ComplaintView complaint) {
        static ContactEscalations of(String contactId, Escalations.History h) {
            return new ContactEscalations(contactId, h.escalations().stream().map(EscalationView::of).toList(),
                    h.decisions().stream().map(DecisionView::of).toList(),
                    h.complaint() == null ? null : ComplaintView.of(h.complaint()));
        }
    }

    record CrisisView(String crisisId, String category, Instant declaredAt, Instant windowStart,
            Instant windowEnd, int count, double baseline, List<String> notified, Instant belowSince,
            Instant clearedAt, int policyVersion) {
        static CrisisView of(Crisis c) {
            return new CrisisView(c.crisisId, c.category, c.declaredAt, c.windowStart, c.windowEnd, c.count,
                    c.baseline, List.of(c.notified.split(",")), c.belowSince, c.clearedAt, c.policyVersion);
        }
    }
}
