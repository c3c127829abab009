package dev.pledge.escalation.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pledge.escalation.Escalation;
import dev.pledge.escalation.repository.EscalationRepository;
import dev.pledge.events.Channel;
import dev.pledge.events.ContactEvent;
import dev.pledge.events.ContactStatus;
import dev.pledge.events.EscalationEvent;
import dev.pledge.events.Priority;
import dev.pledge.events.SlaEvent;
import dev.pledge.events.SlaMetric;
import dev.pledge.policy.Policy;
import dev.pledge.policy.PolicyLoader;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What each consumed event does, over the default policy, on {@link Changes} alone: no database, no broker. */
class EscalationEventsTest {
    static final Policy POLICY = PolicyLoader.defaultPolicy();
    static final Instant T0 = Instant.parse("2026-03-09T10:00:00Z");

    final EscalationEvents events = new EscalationEvents(version -> POLICY);
    final Changes w = new Changes(new EscalationRepository.Loaded(List.of(), List.of(), List.of()));
    final List<ContactEvent.Received> received = new ArrayList<>();
    final List<Escalations.Consumed> early = new ArrayList<>();

    static ContactEvent.Received contact(String id, String tier, String category, String body) {
        return new ContactEvent.Received(id, null, new ContactEvent.Customer("cust-" + id, null, null, null, tier),
                Channel.EMAIL, "subject", body, category, Priority.NORMAL, "general", T0, T0, null, null, 1, "front-end");
    }

    void on(String eventId, dev.pledge.events.PledgeEvent event) {
        events.on(w, new Escalations.Consumed(eventId, event, 3), received, early);
    }

    @Test
    void aLegalThreatIsRaisedToLegalByTheRuleAndTheVersionTheEventNames() {
        on("e-1", contact("c-1", "standard", "other", "I will call my lawyer"));

        assertThat(received).extracting(ContactEvent.Received::contactId).containsExactly("c-1");
        assertThat(w.contacts.get("c-1").partition).isEqualTo(3);
        Escalation e = w.open.get("c-1");
        assertThat(e.levelOrTeam()).isEqualTo("legal");
        assertThat(e.rule).isEqualTo("legal-threat");
        assertThat(e.policyVersion).isEqualTo(1);
        assertThat(w.emitted()).singleElement().isInstanceOf(EscalationEvent.Raised.class);
        assertThat(w.complaints).isEmpty(); // "other" is no complaint category
    }

    /**
     * What the consumer passes over before any transaction ({@link Escalations#decidesAnything}): applied to a
     * contact with an open escalation, none of those events changes anything; each of the others can.
     */
    @Test
    void theEventsPassedOverDecideNothingHere() {
        on("e-1", contact("c-1", "standard", "other", "I will call my lawyer"));
        int emitted = w.emitted().size();
        Duration two = Duration.ofMinutes(2);
        List<dev.pledge.events.PledgeEvent> nothing = List.of(
                new SlaEvent.Started("c-1", SlaMetric.FIRST_RESPONSE, "email", "always", two, T0, T0.plus(two), 1),
                new SlaEvent.Met("c-1", SlaMetric.FIRST_RESPONSE, two, Duration.ofMinutes(1), true, T0.plus(two), T0, 1,
                        false),
                new SlaEvent.Met("c-1", SlaMetric.RESOLUTION, two, Duration.ofMinutes(1), true, T0.plus(two), T0, 1,
                        null),
                new SlaEvent.Paused("c-1", SlaMetric.RESOLUTION, two, T0, 1),
                new SlaEvent.Resumed("c-1", SlaMetric.RESOLUTION, two, T0.plus(two), T0, 1),
                new SlaEvent.Cancelled("c-1", SlaMetric.FIRST_RESPONSE, "resolved", T0, 1),
                new ContactEvent.PromiseMade("c-1", 1, "a call back", T0.plus(two), "agent-7", T0));
        for (dev.pledge.events.PledgeEvent e : nothing) {
            assertThat(Escalations.decidesAnything(e)).as(e.type().ceType()).isFalse();
            on("e-" + e.type(), e);
            events.on(w, "e-" + e.type(), e); // as if it reached the rules: still nothing
        }
        assertThat(w.emitted()).hasSize(emitted);
        assertThat(early).isEmpty();
        // the same contact with only its contact.received applied
        Changes alone = new Changes(new EscalationRepository.Loaded(List.of(), List.of(), List.of()));
        ContactEvent.Received first = contact("c-1", "standard", "other", "I will call my lawyer");
        events.on(alone, new Escalations.Consumed("e-1", first, 3), new ArrayList<>(), new ArrayList<>());
        assertThat(w.contacts.get("c-1")).usingRecursiveComparison().isEqualTo(alone.contacts.get("c-1"));
        assertThat(w.open.get("c-1")).isNotNull().usingRecursiveComparison().isEqualTo(alone.open.get("c-1"));
        assertThat(w.complaints).usingRecursiveComparison().isEqualTo(alone.complaints);

        for (dev.pledge.events.PledgeEvent e : List.of(contact("c-2", "standard", "other", "hello"),
                new ContactEvent.AgentReplied("c-1", "agent-7", T0, List.of()),
                new ContactEvent.StatusChanged("c-1", ContactStatus.OPEN, ContactStatus.PENDING, "agent-7", T0),
                new ContactEvent.PromiseKept("c-1", 1, "agent-7", T0),
                new SlaEvent.Warning("c-1", SlaMetric.FIRST_RESPONSE, 80, two, Duration.ofSeconds(24), T0, T0, 1),
                new SlaEvent.Breached("c-1", SlaMetric.FIRST_RESPONSE, two, T0, T0, 1),
                new SlaEvent.Met("c-1", SlaMetric.FIRST_RESPONSE, two, two, false, T0, T0, 1, true))) {
            assertThat(Escalations.decidesAnything(e)).as(e.type().ceType()).isTrue();
        }
    }

    @Test
    void aSecondContactReceivedOfTheSameContactIsPassedOver() {
        on("e-1", contact("c-1", "standard", "other", "hello"));
        on("e-2", contact("c-1", "vip", "other", "hello again"));

        assertThat(received).hasSize(1);
        assertThat(w.contacts.get("c-1").tier).isEqualTo("standard");
    }

    @Test
    void aComplaintCategoryOpensAComplaintThatAnAgentReplyAcknowledges() {
        on("e-1", contact("c-1", "standard", "long-hold", "I was on hold for an hour"));
        assertThat(w.complaints.get("c-1").ackDeadline).isEqualTo(T0.plus(Duration.ofHours(24)));

        on("e-2", new ContactEvent.AgentReplied("c-1", "agent-7", T0.plus(Duration.ofMinutes(5)), List.of()));

        assertThat(w.complaints.get("c-1").acknowledgedAt).isEqualTo(T0.plus(Duration.ofMinutes(5)));
    }

    @Test
    void resolvingTheContactResolvesItsEscalation() {
        on("e-1", contact("c-1", "vip", "other", "hello"));
        assertThat(w.open).containsKey("c-1");

        on("e-2", new ContactEvent.StatusChanged("c-1", ContactStatus.OPEN, ContactStatus.RESOLVED, "agent-7",
                T0.plus(Duration.ofMinutes(30))));

        assertThat(w.open).doesNotContainKey("c-1");
        assertThat(w.emitted()).last().isInstanceOf(EscalationEvent.Resolved.class);
    }

    @Test
    void anSlaEventAheadOfItsContactWaitsAndOtherEventsOfAnUnknownContactAreIgnored() {
        SlaEvent.Breached breach = new SlaEvent.Breached("c-9", SlaMetric.FIRST_RESPONSE, Duration.ofMinutes(5), T0, T0, 1, 1);
        on("e-1", breach);
        on("e-2", new ContactEvent.AgentReplied("c-8", "agent-7", T0, List.of()));

        assertThat(early).extracting(Escalations.Consumed::eventId).containsExactly("e-1");
        assertThat(w.contacts).isEmpty();
        assertThat(w.emitted()).isEmpty();
    }
}
