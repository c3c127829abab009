package dev.pledge.outcomes;

import dev.pledge.events.Channel;
import dev.pledge.events.ContactEvent;
import dev.pledge.events.ContactStatus;
import dev.pledge.events.SlaEvent;
import dev.pledge.events.SlaMetric;
import dev.pledge.events.SurveyKind;
import dev.pledge.policy.Policy;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.IntFunction;

/**
 * One contact's recorded history replayed by the decisions production takes ({@link ContactSla},
 * {@link EscalationRules}, {@link SurveyChoice}), under the policy versions {@code versions} answers: the ones
 * in force (which must reproduce every recorded outcome) or a candidate's.
 *
 * <p>The replay keeps production's order. Each event is applied when it was recorded ({@code arrivedAt}: its
 * {@code ce_time}, when intake accepted it), its arithmetic at its {@code occurredAt}; between events the
 * timers come due at their own instants (never before the event that armed them arrived, as the database's
 * clock fires them), and nothing is fired past {@code until}: a contact is never scored past what happened.
 *
 * <p>Escalations: what the rules raise on the contact's events and on the warnings and breaches the replay
 * itself emits, with production's ladder ({@link EscalationStanding}: a higher level or a team listed first,
 * and the withdrawal of what a breach alone raised when a late reply corrects it). Climbing at acknowledgement deadlines is not
 * replayed: it follows people's acknowledgements, not the policy's rules.
 */
public final class Replay {

    /** A contact event as recorded: when it arrived, its {@code ce_id}, the event. */
    public record Recorded(Instant arrivedAt, String eventId, ContactEvent event) {
    }

    /** A target's or promise's outcome as it stands (docs/outcomes.md). */
    public enum Outcome {
        MET, BREACHED, NONE;

        /** From the timer: {@code in_target} true met, false breached, null none yet. */
        public static Outcome of(Boolean inTarget) {
            return inTarget == null ? NONE : inTarget ? MET : BREACHED;
        }
    }

    /** One timed target or promise of the contact and its outcome. */
    public record Target(SlaMetric metric, int cycle, String rule, Outcome outcome) {
    }

    /** The rule an escalation is counted under when a corrected breach took it back to where it stood. */
    public static final String BACK_AFTER_CORRECTION = "breach-corrected";

    /**
     * An escalation the rules raised: the rule that took it where it ended, and where that is: a ladder level,
     * a specialist team, or both ({@code supervisor + legal}).
     */
    public record Raised(String rule, String level) {
    }

    /**
     * What the replay decided for one contact: its targets, warnings sent, escalations raised, the survey
     * it is sent (null: none).
     */
    public record Result(String contactId, Channel channel, List<Target> targets, int warnings, List<Raised> escalations,
            SurveyKind survey) {
    }

    private Replay() {
    }

    /** Replays one contact's history, in recorded order; the first event must be its {@code contact.received}. */
    public static Result run(List<Recorded> history, IntFunction<Policy> versions, Instant until) {
        if (history.isEmpty() || !(history.get(0).event() instanceof ContactEvent.Received received)) {
            throw new IllegalArgumentException("a history starts with its contact.received");
        }
        Run run = new Run(versions);
        Instant clock = history.get(0).arrivedAt();
        for (Recorded r : history) {
            if (r.arrivedAt().isAfter(until) && run.sla != null) {
                break; // what arrived after it did not happen yet
            }
            if (r.arrivedAt().isAfter(clock)) {
                clock = r.arrivedAt();
            }
            if (run.sla != null) {
                run.fireUntil(clock);
            }
            run.apply(r, clock);
        }
        run.fireUntil(until);
        List<Target> targets = run.sla.timers().stream()
                .map(t -> new Target(t.slaMetric(), t.cycle, t.rule, Outcome.of(t.inTarget))).toList();
        List<Raised> raised = run.escalations.stream().filter(e -> !e.withdrawn).map(Escalated::raised).toList();
        return new Result(received.contactId(), received.channel(), targets, run.warnings, raised,
                run.survey != null && !run.survey.cancelledBy(until) ? run.survey.kind : null);
    }

    /** The state of one replay: the contact's promises, its escalations, its survey. */
    private static final class Run {
        final IntFunction<Policy> versions;
        final List<ContactSla.Emitted> emitted = new ArrayList<>();
        final List<Escalated> escalations = new ArrayList<>();
        ContactSla sla;
        String repeatOf;
        int customerReplies;
        int warnings;
        Survey survey;
        Instant armedAt;

        Run(IntFunction<Policy> versions) {
            this.versions = versions;
        }

        void apply(Recorded r, Instant clock) {
            armedAt = clock;
            ContactEvent event = r.event();
            if (event instanceof ContactEvent.Received received) {
                if (sla != null) {
                    return; // received twice: the first counts
                }
                repeatOf = received.repeatOf();
                sla = ContactSla.received(received, versions, emitted);
                decide(Policy.Trigger.CONTACT_RECEIVED, received.policyVersion(), received.subject(), received.body(),
                        null, null, null);
            } else {
                sla.on(event, r.eventId(), emitted);
                if (event instanceof ContactEvent.Updated u) {
                    decide(Policy.Trigger.CONTACT_UPDATED, u.policyVersion(), null, null, null, null, null);
                } else if (event instanceof ContactEvent.AgentReplied) {
                    customerReplies = 0;
                } else if (event instanceof ContactEvent.CustomerReplied) {
                    customerReplies++;
                    decide(Policy.Trigger.CUSTOMER_REPLIED, sla.policyVersion, null, null, null, null, null);
                } else if (event instanceof ContactEvent.StatusChanged s) {
                    statusChanged(s);
                }
            }
            drain();
        }

        /** Fires, in time order, every timer due by {@code limit}, each at its own instant. */
        void fireUntil(Instant limit) {
            Instant next;
            while ((next = sla.nextFireAt()) != null && !next.isAfter(limit)) {
                Instant now = next.isBefore(armedAt) ? armedAt : next;
                sla.fireDue(now, emitted);
                drain();
            }
        }

        /** The SLA events decided so far, as escalation-service reads them. */
        void drain() {
            for (ContactSla.Emitted e : emitted) {
                SlaEvent event = e.event();
                String timer = EscalationStanding.breachOf(event);
                if (event instanceof SlaEvent.Warning w) {
                    warnings++;
                    decide(Policy.Trigger.SLA_WARNING, w.policyVersion(), null, null, w.thresholdPercent(), w.metric(),
                            null);
                } else if (event instanceof SlaEvent.Breached b) {
                    decide(Policy.Trigger.SLA_BREACHED, b.policyVersion(), null, null, null, b.metric(), timer);
                } else if (event instanceof SlaEvent.Met m && Boolean.TRUE.equals(m.correctsBreach())) {
                    withdraw(timer);
                }
            }
            emitted.clear();
        }

        void statusChanged(ContactEvent.StatusChanged s) {
            if (s.to().isDone()) {
                open().ifPresent(e -> e.open = false);
                Policy policy = versions.apply(sla.policyVersion);
                if ((survey == null || survey.cancelledAt != null) && policy.feedback() != null) {
                    SurveyChoice.choose(policy.feedback().surveys(), sla.contactId, s.to(), sla.channel)
                            .ifPresent(chosen -> survey = new Survey(chosen.kind(), s.occurredAt().plus(chosen.delay())));
                }
            } else if (survey != null && survey.cancelledAt == null && s.to() == ContactStatus.REOPENED
                    && s.occurredAt().isBefore(survey.sendAt)) {
                survey.cancelledAt = s.occurredAt(); // not sent yet: cancelled (one sent stays sent, then withdrawn)
            }
        }

        void decide(Policy.Trigger trigger, int version, String subject, String body, Integer percent, SlaMetric metric,
                String breach) {
            Policy.Escalation ladder = versions.apply(version).escalation();
            if (ladder == null || !EscalationRules.apply(sla.status, metric)) {
                return;
            }
            EscalationRules.Decision d = EscalationRules.decide(ladder, trigger, new EscalationRules.Facts(sla.channel,
                    sla.priority, sla.tier, sla.category, subject, body, repeatOf, percent, metric, customerReplies));
            if (d.isEmpty()) {
                return;
            }
            Optional<Escalated> open = open();
            if (open.isEmpty()) {
                escalations.add(new Escalated(EscalationStanding.open(d, breach)));
            } else {
                open.get().standing.raise(ladder, d, breach);
            }
        }

        void withdraw(String timer) {
            open().ifPresent(e -> {
                if (e.standing.withdraw(timer) == EscalationStanding.Withdrawal.WHOLE) {
                    e.withdrawn = true;
                    e.open = false;
                }
            });
        }

        Optional<Escalated> open() {
            return escalations.isEmpty() || !escalations.get(escalations.size() - 1).open ? Optional.empty()
                    : Optional.of(escalations.get(escalations.size() - 1));
        }
    }

    /** An escalation as the replay follows it. */
    private static final class Escalated {
        final EscalationStanding standing;
        boolean open = true;
        boolean withdrawn;

        Escalated(EscalationStanding standing) {
            this.standing = standing;
        }

        /** The rule that took it where it ended (a corrected breach's: no rule), and its level, team, or both. */
        Raised raised() {
            String at = standing.level != null && standing.team != null ? standing.level + " + " + standing.team
                    : standing.levelOrTeam();
            return new Raised(standing.rule == null ? BACK_AFTER_CORRECTION : standing.rule, at);
        }
    }

    /** The survey chosen for the contact and when it goes out. */
    private static final class Survey {
        final SurveyKind kind;
        final Instant sendAt;
        Instant cancelledAt;

        Survey(SurveyKind kind, Instant sendAt) {
            this.kind = kind;
            this.sendAt = sendAt;
        }

        /** Not sent by {@code until}, or cancelled before it went out. */
        boolean cancelledBy(Instant until) {
            return cancelledAt != null || sendAt.isAfter(until);
        }
    }
}
