package dev.pledge.outcomes;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pledge.events.Channel;
import dev.pledge.events.ContactEvent;
import dev.pledge.events.ContactStatus;
import dev.pledge.events.Priority;
import dev.pledge.events.SlaMetric;
import dev.pledge.events.SurveyKind;
import dev.pledge.policy.Policy;
import dev.pledge.policy.PolicyLoader;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;

/**
 * A candidate's effect on histories small enough to compute by hand: each test says the arithmetic in its
 * comments, and checks the replay under the policy in force and under the candidate.
 */
class ReplayTest {
    /** Monday 2026-03-02 10:00 UTC. */
    static final Instant T0 = Instant.parse("2026-03-02T10:00:00Z");

    /** The default policy with these SLA rules and pauses, and a weekday 09:00–17:00 UTC calendar. */
    static Policy policy(String sla) {
        return TestPolicies.withSla(sla, """
                      monday: ["09:00-17:00"]
                      tuesday: ["09:00-17:00"]
                      wednesday: ["09:00-17:00"]
                      thursday: ["09:00-17:00"]
                      friday: ["09:00-17:00"]
                """);
    }

    static final String RULES = """
              pauses:
                resolution: [pending]
              warnings: [50, 75, 90]
              rules:
                - name: chat
                  when: { channels: [chat] }
                  firstResponse: PT10M
                  resolution: P2D
                - name: email
                  firstResponse: PT4H
                  resolution: P5D
            """;

    static final Policy IN_FORCE = policy(RULES);

    /** A history built event by event; each event arrives when it happens. */
    static final class Story {
        final String id;
        final List<Replay.Recorded> events = new ArrayList<>();

        Story(String id, Channel channel, String subject, String body) {
            this.id = id;
            add(T0, new ContactEvent.Received(id, null, new ContactEvent.Customer("cust-" + id, "Ann", null, null,
                    "standard"), channel, subject, body, "delivery", Priority.NORMAL, null, T0, T0, null, null, 1));
        }

        Story(String id, Channel channel) {
            this(id, channel, "Parcel", "Where is my parcel?");
        }

        Story add(Instant at, ContactEvent e) {
            events.add(new Replay.Recorded(at, id + "-" + events.size(), e));
            return this;
        }

        Story reply(Duration after) {
            return add(T0.plus(after), new ContactEvent.AgentReplied(id, "agent-1", T0.plus(after)));
        }

        Story customer(Duration after) {
            return add(T0.plus(after), new ContactEvent.CustomerReplied(id, T0.plus(after)));
        }

        Story status(Duration after, ContactStatus from, ContactStatus to) {
            return add(T0.plus(after), new ContactEvent.StatusChanged(id, from, to, "agent-1", T0.plus(after)));
        }

        Replay.Result replay(Policy policy) {
            IntFunction<Policy> versions = v -> policy;
            return Replay.run(events, versions, T0.plus(Duration.ofDays(30)));
        }
    }

    static Replay.Outcome outcome(Replay.Result r, SlaMetric metric, int cycle) {
        return r.targets().stream().filter(t -> t.metric() == metric && t.cycle() == cycle).findFirst()
                .map(Replay.Target::outcome).orElse(null);
    }

    @Test
    void pausingTheFirstResponseOnPendingLeavesTheWaitOnTheCustomerOut() {
        Policy candidate = policy(RULES.replace("resolution: [pending]", "resolution: [pending]\n    first-response: [pending]"));
        // chat, 10 min: pending from minute 4 to minute 20, reply at minute 25
        Story s = new Story("c-pause", Channel.CHAT).status(Duration.ofMinutes(4), ContactStatus.OPEN, ContactStatus.PENDING)
                .status(Duration.ofMinutes(20), ContactStatus.PENDING, ContactStatus.OPEN).reply(Duration.ofMinutes(25));
        // in force: 25 minutes counted, breached at minute 10
        assertThat(outcome(s.replay(IN_FORCE), SlaMetric.FIRST_RESPONSE, 1)).isEqualTo(Replay.Outcome.BREACHED);
        // candidate: 4 + 5 = 9 minutes counted of 10
        assertThat(outcome(s.replay(candidate), SlaMetric.FIRST_RESPONSE, 1)).isEqualTo(Replay.Outcome.MET);
    }

    @Test
    void aNextResponseTargetTheOldPolicyNeverStartedIsReplayed() {
        Policy candidate = policy(RULES.replace("firstResponse: PT10M", "firstResponse: PT10M\n      nextResponse: PT5M"));
        // chat: answered at 2 min, the customer writes at 10, the agent answers at 20 (10 min later), again at 21
        Story s = new Story("c-next", Channel.CHAT).reply(Duration.ofMinutes(2)).customer(Duration.ofMinutes(10))
                .reply(Duration.ofMinutes(20)).customer(Duration.ofMinutes(30)).reply(Duration.ofMinutes(34));
        Replay.Result now = s.replay(IN_FORCE);
        assertThat(now.targets()).extracting(Replay.Target::metric).doesNotContain(SlaMetric.NEXT_RESPONSE);
        Replay.Result r = s.replay(candidate);
        assertThat(outcome(r, SlaMetric.FIRST_RESPONSE, 1)).isEqualTo(Replay.Outcome.MET);
        // 10 minutes of 5: breached; then 4 of 5: met
        assertThat(outcome(r, SlaMetric.NEXT_RESPONSE, 1)).isEqualTo(Replay.Outcome.BREACHED);
        assertThat(outcome(r, SlaMetric.NEXT_RESPONSE, 2)).isEqualTo(Replay.Outcome.MET);
        // the warnings the candidate sends on its way: 50, 75 and 90 % of the first next response (the breach
        // makes none moot: each came due before it), 50 and 75 % of the second (90 % is 4.5 min, after the reply)
        assertThat(r.warnings() - now.warnings()).isEqualTo(5);
    }

    @Test
    void aBusinessHoursCalendarCountsOnlyTheHoursItKeeps() {
        Policy candidate = policy(RULES.replace("      firstResponse: PT4H", "      calendar: weekdays\n      firstResponse: PT4H"));
        // email received Friday 16:00 UTC, answered Monday 10:00 UTC
        Instant friday = Instant.parse("2026-03-06T16:00:00Z");
        Duration after = Duration.between(T0, Instant.parse("2026-03-09T10:00:00Z"));
        Story s = new Story("c-cal", Channel.EMAIL);
        s.events.set(0, new Replay.Recorded(friday, "c-cal-0", new ContactEvent.Received("c-cal", null,
                new ContactEvent.Customer("cust", "Ann", null, null, "standard"), Channel.EMAIL, "Parcel", "Where?",
                "delivery", Priority.NORMAL, null, friday, friday, null, null, 1)));
        s.reply(after);
        // 24x7: 66 hours of 4
        assertThat(outcome(s.replay(IN_FORCE), SlaMetric.FIRST_RESPONSE, 1)).isEqualTo(Replay.Outcome.BREACHED);
        // weekdays 09–17: 1 hour on Friday, 1 on Monday
        assertThat(outcome(s.replay(candidate), SlaMetric.FIRST_RESPONSE, 1)).isEqualTo(Replay.Outcome.MET);
    }

    @Test
    void anEscalationRuleTheCandidateAddsRaisesWhatItMatches() {
        Policy candidate = PolicyLoader.load(PolicyLoader.defaultPolicyText()
                .replaceFirst("(?s)\nsla:\n.*?\nclassification:\n", "\nsla:\n" + RULES + "\nclassification:\n")
                .replace("      raiseTo: legal\n", "      raiseTo: legal\n"
                        + "    - name: refund\n"
                        + "      trigger: contact-received\n"
                        + "      keywords: [refund]\n"
                        + "      raiseTo: manager\n"));
        Story refund = new Story("c-refund", Channel.EMAIL, "Refund", "I would like a refund please")
                .reply(Duration.ofMinutes(30)).status(Duration.ofMinutes(40), ContactStatus.OPEN, ContactStatus.RESOLVED);
        Story parcel = new Story("c-parcel", Channel.EMAIL).reply(Duration.ofMinutes(30))
                .status(Duration.ofMinutes(40), ContactStatus.OPEN, ContactStatus.RESOLVED);
        assertThat(refund.replay(IN_FORCE).escalations()).isEmpty();
        assertThat(refund.replay(candidate).escalations()).containsExactly(new Replay.Raised("refund", "manager"));
        assertThat(parcel.replay(candidate).escalations()).isEmpty();
        // and the rules in force: a chat left unanswered breaches at 10 min (supervisor), after its 90 % warning
        // (senior-agent); the escalation ends where the breach took it
        Story unanswered = new Story("c-late", Channel.CHAT).reply(Duration.ofMinutes(12))
                .status(Duration.ofMinutes(13), ContactStatus.OPEN, ContactStatus.RESOLVED);
        assertThat(unanswered.replay(IN_FORCE).escalations()).containsExactly(new Replay.Raised("breach", "supervisor"));
    }

    @Test
    void aLateReplyDatedBeforeTheBreachCorrectsItAndWithdrawsWhatTheBreachAloneRaised() {
        // chat, 10 min; the reply was made at minute 9 but its record arrived at minute 12
        Story s = new Story("c-late-record", Channel.CHAT);
        s.add(T0.plus(Duration.ofMinutes(12)), new ContactEvent.AgentReplied(s.id, "agent-1", T0.plus(Duration.ofMinutes(9))));
        s.status(Duration.ofMinutes(13), ContactStatus.OPEN, ContactStatus.RESOLVED);
        Replay.Result r = s.replay(IN_FORCE);
        assertThat(outcome(r, SlaMetric.FIRST_RESPONSE, 1)).isEqualTo(Replay.Outcome.MET);
        // near-breach raised senior-agent at 90 % (before the breach): that stays; the breach's supervisor does not
        // (escalation-service records no rule for a step back: it is counted under breach-corrected)
        assertThat(r.escalations()).containsExactly(new Replay.Raised(Replay.BACK_AFTER_CORRECTION, "senior-agent"));
    }

    @Test
    void nothingIsScoredPastWhatHappened() {
        Story s = new Story("c-open", Channel.CHAT);
        // replayed to 5 minutes after receipt: the 10-minute target is running, no outcome yet
        Replay.Result early = Replay.run(s.events, v -> IN_FORCE, T0.plus(Duration.ofMinutes(5)));
        assertThat(outcome(early, SlaMetric.FIRST_RESPONSE, 1)).isEqualTo(Replay.Outcome.NONE);
        Replay.Result later = Replay.run(s.events, v -> IN_FORCE, T0.plus(Duration.ofMinutes(11)));
        assertThat(outcome(later, SlaMetric.FIRST_RESPONSE, 1)).isEqualTo(Replay.Outcome.BREACHED);
    }

    @Test
    void theSurveyIsTheOneThePolicyChoosesAndAReopenBeforeItGoesOutCancelsIt() {
        // default surveys after resolved, the first drawn: nps (sampling 0.1), ces on chat (0.3), csat (1.0)
        Story resolved = new Story("c-survey", Channel.CHAT).reply(Duration.ofMinutes(1))
                .status(Duration.ofMinutes(5), ContactStatus.OPEN, ContactStatus.RESOLVED);
        SurveyKind expected = SurveyChoice.drawn("c-survey", SurveyKind.NPS, 0.1) ? SurveyKind.NPS
                : SurveyChoice.drawn("c-survey", SurveyKind.CES, 0.3) ? SurveyKind.CES : SurveyKind.CSAT;
        assertThat(resolved.replay(IN_FORCE).survey()).isEqualTo(expected);
        Story reopened = new Story("c-survey", Channel.CHAT).reply(Duration.ofMinutes(1))
                .status(Duration.ofMinutes(5), ContactStatus.OPEN, ContactStatus.RESOLVED)
                .status(Duration.ofMinutes(6), ContactStatus.RESOLVED, ContactStatus.REOPENED);
        assertThat(reopened.replay(IN_FORCE).survey()).isNull();
    }
}
