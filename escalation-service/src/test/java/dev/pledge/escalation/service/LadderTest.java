package dev.pledge.escalation.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pledge.escalation.Escalation;
import dev.pledge.escalation.EscalationContact;
import dev.pledge.escalation.repository.EscalationRepository;
import dev.pledge.events.Channel;
import dev.pledge.events.Priority;
import dev.pledge.events.SlaMetric;
import dev.pledge.outcomes.EscalationRules;
import dev.pledge.policy.Policy;
import dev.pledge.policy.PolicyLoader;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The ladder's decisions over the default policy, on {@link Changes} alone: no database, no clock. */
class LadderTest {
    static final Policy POLICY = PolicyLoader.defaultPolicy();
    static final Instant T0 = Instant.parse("2026-03-09T10:00:00Z");
    static final String BREACH = "first-response#1";

    final EscalationContact contact = contact();
    final Changes w = new Changes(new EscalationRepository.Loaded(List.of(contact), List.of(), List.of()));

    static EscalationContact contact() {
        EscalationContact c = new EscalationContact();
        c.contactId = "c-1";
        c.channel = "chat";
        c.priority = "normal";
        c.tier = "standard";
        c.category = "other";
        c.status = "open";
        c.policyVersion = 1;
        c.receivedAt = T0;
        return c;
    }

    EscalationRules.Decision breach() {
        return EscalationRules.decide(POLICY.escalation(), Policy.Trigger.SLA_BREACHED, new EscalationRules.Facts(Channel.CHAT,
                Priority.NORMAL, "standard", "other", null, null, null, null, SlaMetric.FIRST_RESPONSE, 0));
    }

    EscalationRules.Decision threeCustomerReplies() {
        return EscalationRules.decide(POLICY.escalation(), Policy.Trigger.CUSTOMER_REPLIED, new EscalationRules.Facts(Channel.CHAT,
                Priority.NORMAL, "standard", "other", null, null, null, null, null, 3));
    }

    @Test
    void aCorrectedBreachWithdrawsTheEscalationItAloneOpened() {
        Ladder.raise(w, contact, breach(), POLICY, 1, T0.plusSeconds(60), "breach-event", BREACH);
        Escalation e = w.open.get("c-1");
        assertThat(e.level).isEqualTo("supervisor");

        Ladder.withdraw(w, contact, "first-response#2", POLICY, T0.plusSeconds(90), "met-event");
        assertThat(w.open).as("another timer's correction withdraws nothing").containsKey("c-1");

        Ladder.withdraw(w, contact, BREACH, POLICY, T0.plusSeconds(90), "met-event");
        assertThat(w.open).doesNotContainKey("c-1");
        assertThat(e.state).isEqualTo(Escalation.RESOLVED);
    }

    @Test
    void aCorrectedBreachThatRaisedAnEscalationFurtherTakesItBackToWhereItStood() {
        Ladder.raise(w, contact, threeCustomerReplies(), POLICY, 1, T0.plusSeconds(30), "reply-event");
        Escalation e = w.open.get("c-1");
        assertThat(e.level).isEqualTo("senior-agent");
        Ladder.raise(w, contact, breach(), POLICY, 1, T0.plusSeconds(60), "breach-event", BREACH);
        assertThat(e.level).isEqualTo("supervisor");

        Ladder.withdraw(w, contact, BREACH, POLICY, T0.plusSeconds(90), "met-event");
        assertThat(e.state).isEqualTo(Escalation.OPEN);
        assertThat(e.level).isEqualTo("senior-agent");
        assertThat(e.reason).isEqualTo("breach-corrected");
        assertThat(e.ackDeadline).isEqualTo(T0.plusSeconds(90).plus(POLICY.escalation().level("senior-agent").acknowledgeWithin()));
    }

    @Test
    void whatAnotherRuleRaisedAfterTheBreachStays() {
        Ladder.raise(w, contact, breach(), POLICY, 1, T0.plusSeconds(60), "breach-event", BREACH);
        EscalationRules.Decision manager = EscalationRules.decide(POLICY.escalation(), Policy.Trigger.COMPLAINT_DEADLINE_MISSED,
                EscalationRules.Facts.of(Channel.CHAT, Priority.NORMAL, "standard", "other"));
        Ladder.raise(w, contact, manager, POLICY, 1, T0.plusSeconds(70), null);
        Escalation e = w.open.get("c-1");
        assertThat(e.level).isEqualTo("manager");

        Ladder.withdraw(w, contact, BREACH, POLICY, T0.plusSeconds(90), "met-event");
        assertThat(e.state).isEqualTo(Escalation.OPEN);
        assertThat(e.level).isEqualTo("manager");
    }

    @Test
    void aLevelMissingFromANewerPolicyVersionIsNeverDemoted() {
        Policy newer = PolicyLoader.load(PolicyLoader.defaultPolicyText().replace("manager", "head-of-service"));
        EscalationRules.Decision managerRaise = EscalationRules.decide(POLICY.escalation(), Policy.Trigger.COMPLAINT_DEADLINE_MISSED,
                EscalationRules.Facts.of(Channel.CHAT, Priority.NORMAL, "standard", "other"));
        Ladder.raise(w, contact, managerRaise, POLICY, 1, T0, null);
        Escalation e = w.open.get("c-1");
        assertThat(e.level).isEqualTo("manager");

        EscalationRules.Decision supervisor = EscalationRules.decide(newer.escalation(), Policy.Trigger.SLA_BREACHED, new EscalationRules.Facts(
                Channel.CHAT, Priority.NORMAL, "standard", "other", null, null, null, null, SlaMetric.FIRST_RESPONSE, 0));
        assertThat(supervisor.level()).isEqualTo("supervisor");
        Ladder.raise(w, contact, supervisor, newer, 2, T0.plusSeconds(60), "breach-event", BREACH);
        assertThat(e.level).as("a manager is not demoted to a supervisor by a version without managers").isEqualTo("manager");
    }
}
