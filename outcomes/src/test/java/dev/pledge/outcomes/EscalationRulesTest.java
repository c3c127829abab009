package dev.pledge.outcomes;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pledge.events.Channel;
import dev.pledge.events.Priority;
import dev.pledge.events.SlaMetric;
import dev.pledge.policy.Policy;
import dev.pledge.policy.PolicyLoader;
import org.junit.jupiter.api.Test;

/** Rule matching over the default policy's escalation rules. */
class EscalationRulesTest {
    private final Policy.Escalation escalation = PolicyLoader.defaultPolicy().escalation();

    private EscalationRules.Facts message(String tier, String category, String subject, String body, String repeatOf) {
        return new EscalationRules.Facts(Channel.EMAIL, Priority.NORMAL, tier, category, subject, body, repeatOf, null, null, 0);
    }

    private EscalationRules.Decision received(EscalationRules.Facts facts) {
        return EscalationRules.decide(escalation, Policy.Trigger.CONTACT_RECEIVED, facts);
    }

    @Test
    void aLegalThreatGoesToLegalWhateverTheCaseAndPunctuation() {
        EscalationRules.Decision d = received(message("standard", "billing", "Refund", "I'll take LEGAL-ACTION, see you in court!", null));
        assertThat(d.team()).isEqualTo("legal");
        assertThat(d.teamRule().rule().name()).isEqualTo("legal-threat");
        assertThat(d.teamRule().reason()).contains("'legal action'", "'court'");
    }

    @Test
    void wordsInsideOtherWordsDoNotMatch() {
        assertThat(received(message("standard", "billing", "Thanks", "Your courteous agent was great. Thank you!", null))
                .isEmpty()).isTrue();
        assertThat(received(message("standard", "billing", "Issue", "the issue is sued-for? no: pseudonym", null)).team())
                .isNull();
    }

    @Test
    void aNegativeMessageGoesToASupervisorAndANegatedOrPoliteOneDoesNot() {
        assertThat(received(message("standard", "delivery", "Parcel", "I am furious. Absolutely unacceptable!", null))
                .level()).isEqualTo("supervisor");
        assertThat(received(message("standard", "delivery", "Parcel", "Not bad, I am not angry, just asking", null))
                .isEmpty()).isTrue();
        assertThat(received(message("standard", "delivery", "Colis", "Je suis furieux, c'est inacceptable", null)).level())
                .as("accents folded").isEqualTo("supervisor");
    }

    @Test
    void theHighestLevelAndTheFirstListedTeamWin() {
        // VIP (vip-desk), a repeat (senior-agent), a VIP repeat (supervisor), a legal threat (legal)
        EscalationRules.Decision d = received(message("vip", "delivery", "Again", "My lawyer is waiting", "c-earlier"));
        assertThat(d.level()).isEqualTo("supervisor");
        assertThat(d.levelRule().rule().name()).isEqualTo("vip-repeat-contact");
        assertThat(d.team()).as("legal is listed before vip-desk").isEqualTo("legal");
    }

    @Test
    void aVipRepeatContactEscalatesAndAStandardRepeatGoesToASeniorAgent() {
        assertThat(received(message("vip", "delivery", "Again", "Still waiting", "c-1")).level()).isEqualTo("supervisor");
        assertThat(received(message("standard", "delivery", "Again", "Still waiting", "c-1")).level())
                .isEqualTo("senior-agent");
        assertThat(received(message("standard", "delivery", "New", "Still waiting", null)).isEmpty()).isTrue();
    }

    @Test
    void slaRulesLookAtTheThresholdAndTheMetric() {
        EscalationRules.Facts at75 = new EscalationRules.Facts(Channel.CHAT, Priority.HIGH, "standard", "billing", null, null, null, 75,
                SlaMetric.FIRST_RESPONSE, 0);
        EscalationRules.Facts at90 = new EscalationRules.Facts(Channel.CHAT, Priority.HIGH, "standard", "billing", null, null, null, 90,
                SlaMetric.FIRST_RESPONSE, 0);
        assertThat(EscalationRules.decide(escalation, Policy.Trigger.SLA_WARNING, at75).isEmpty()).isTrue();
        assertThat(EscalationRules.decide(escalation, Policy.Trigger.SLA_WARNING, at90).level()).isEqualTo("senior-agent");
        EscalationRules.Facts breach = new EscalationRules.Facts(Channel.CHAT, Priority.HIGH, "standard", "billing", null, null, null, null,
                SlaMetric.RESOLUTION, 0);
        assertThat(EscalationRules.decide(escalation, Policy.Trigger.SLA_BREACHED, breach).level()).isEqualTo("supervisor");
    }

    @Test
    void aCustomerChasingThreeTimesWithoutAnswerEscalates() {
        EscalationRules.Facts twice = new EscalationRules.Facts(Channel.EMAIL, Priority.NORMAL, "standard", "billing", null, null, null,
                null, null, 2);
        EscalationRules.Facts thrice = new EscalationRules.Facts(Channel.EMAIL, Priority.NORMAL, "standard", "billing", null, null, null,
                null, null, 3);
        assertThat(EscalationRules.decide(escalation, Policy.Trigger.CUSTOMER_REPLIED, twice).isEmpty()).isTrue();
        EscalationRules.Decision d = EscalationRules.decide(escalation, Policy.Trigger.CUSTOMER_REPLIED, thrice);
        assertThat(d.level()).isEqualTo("senior-agent");
        assertThat(d.levelRule().reason()).contains("3 customer replies");
    }

    @Test
    void aComplaintCategoryGoesToTheComplaintsTeamAndAMissedDeadlineToAManager() {
        assertThat(received(message("standard", "long-hold", "Hold", "45 minutes on hold", null)).team())
                .isEqualTo("complaints-team");
        assertThat(EscalationRules.decide(escalation, Policy.Trigger.COMPLAINT_DEADLINE_MISSED,
                EscalationRules.Facts.of(Channel.PHONE, Priority.NORMAL, "standard", "long-hold")).level()).isEqualTo("manager");
    }

    @Test
    void nonAsciiAndEmptyTextsAreHandled() {
        assertThat(received(message("standard", "other", null, null, null)).isEmpty()).isTrue();
        assertThat(received(message("standard", "other", "配送", "荷物が届きません 😡", null)).isEmpty()).isTrue();
        assertThat(received(message("standard", "other", "Ombudsman", "Médiateur", null)).team()).isEqualTo("legal");
    }
}
