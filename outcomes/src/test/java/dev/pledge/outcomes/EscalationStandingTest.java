package dev.pledge.outcomes;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pledge.events.Channel;
import dev.pledge.events.Priority;
import dev.pledge.events.SlaMetric;
import dev.pledge.policy.Policy;
import dev.pledge.policy.PolicyLoader;
import org.junit.jupiter.api.Test;

/** The ladder's choices over the default policy: raise only higher or to a team listed first; withdraw a breach's. */
class EscalationStandingTest {
    private final Policy.Escalation ladder = PolicyLoader.defaultPolicy().escalation();

    private EscalationRules.Decision on(Policy.Trigger trigger, Integer percent, SlaMetric metric, String body) {
        return EscalationRules.decide(ladder, trigger, new EscalationRules.Facts(Channel.CHAT, Priority.NORMAL,
                "standard", "delivery", "Parcel", body, null, percent, metric, 0));
    }

    @Test
    void aBreachRaisesFurtherAndItsCorrectionTakesItBack() {
        // near-breach (90 %) opens at senior-agent; the breach raises to supervisor, held there by that breach alone
        EscalationStanding s = EscalationStanding.open(on(Policy.Trigger.SLA_WARNING, 90, SlaMetric.FIRST_RESPONSE, null), null);
        assertThat(s.level).isEqualTo("senior-agent");
        assertThat(s.rule).isEqualTo("near-breach");
        EscalationRules.Raise raise = s.raise(ladder, on(Policy.Trigger.SLA_BREACHED, null, SlaMetric.FIRST_RESPONSE, null),
                "first-response#1");
        assertThat(raise.higher()).isTrue();
        assertThat(s.level).isEqualTo("supervisor");
        // another timer's correction changes nothing; its own takes it back, with no rule of its own
        assertThat(s.withdraw("resolution#1")).isEqualTo(EscalationStanding.Withdrawal.NONE);
        assertThat(s.withdraw("first-response#1")).isEqualTo(EscalationStanding.Withdrawal.BACK);
        assertThat(s.level).isEqualTo("senior-agent");
        assertThat(s.rule).isNull();
    }

    @Test
    void aBreachThatOpenedItTakesItAwayWhole() {
        EscalationStanding s = EscalationStanding.open(on(Policy.Trigger.SLA_BREACHED, null, SlaMetric.FIRST_RESPONSE, null),
                "first-response#1");
        assertThat(s.withdraw("first-response#1")).isEqualTo(EscalationStanding.Withdrawal.WHOLE);
    }

    @Test
    void nothingLowerAndOnlyATeamListedFirstChangeIt() {
        EscalationStanding s = EscalationStanding.open(on(Policy.Trigger.SLA_BREACHED, null, SlaMetric.FIRST_RESPONSE, null), null);
        assertThat(s.raise(ladder, on(Policy.Trigger.SLA_WARNING, 90, SlaMetric.FIRST_RESPONSE, null), null).any()).isFalse();
        // a legal threat: legal is listed before every other team, and a rule raised it (no breach holds it)
        EscalationRules.Raise legal = s.raise(ladder, on(Policy.Trigger.CONTACT_RECEIVED, null, null,
                "I will see you in court"), null);
        assertThat(legal.firstTeam()).isTrue();
        assertThat(s.team).isEqualTo("legal");
        assertThat(s.level).isEqualTo("supervisor");
        assertThat(s.rule).isEqualTo("legal-threat");
        assertThat(s.breach).isNull();
    }
}
