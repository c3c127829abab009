package dev.pledge.events;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/** One realistic instance of every event type, pinned by the files in {@code samples/}. */
final class Samples {
    static final Instant T = Instant.parse("2026-03-06T17:45:00Z");
    static final String C = "c-01J8Z3T6K7";

    static Map<EventType, PledgeEvent> all() {
        ObjectNode policy = JsonNodeFactory.instance.objectNode();
        policy.put("name", "Acme customer promise");
        Map<EventType, PledgeEvent> m = new EnumMap<>(EventType.class);
        m.put(EventType.CONTACT_RECEIVED, new ContactEvent.Received(C, "zendesk-4711",
                new ContactEvent.Customer("cust-42", "Ada Lovelace", "ada@example.com", null, "vip"),
                Channel.EMAIL, "Order not delivered", "My order 1234 was due on Tuesday.", "delivery",
                Priority.HIGH, "logistics", T.minusSeconds(5), T, "c-01J8Y0000", "delivery-keywords", 3, "zendesk-connector"));
        m.put(EventType.CONTACT_UPDATED, new ContactEvent.Updated(C, Priority.URGENT, "delivery", "agent-7",
                "logistics", "vip", List.of("priority", "assignee"), "agent-7", T, 3));
        m.put(EventType.CONTACT_AGENT_REPLIED, new ContactEvent.AgentReplied(C, "agent-7", T, List.of(1)));
        m.put(EventType.CONTACT_CUSTOMER_REPLIED, new ContactEvent.CustomerReplied(C, T));
        m.put(EventType.CONTACT_PROMISE_MADE, new ContactEvent.PromiseMade(C, 1,
                "Call back once the courier confirms the new delivery date", T.plus(Duration.ofDays(1)), "agent-7", T));
        m.put(EventType.CONTACT_PROMISE_KEPT, new ContactEvent.PromiseKept(C, 1, "agent-7", T.plus(Duration.ofHours(20))));
        m.put(EventType.CONTACT_STATUS_CHANGED, new ContactEvent.StatusChanged(C, ContactStatus.OPEN,
                ContactStatus.ON_HOLD, "agent-7", T));
        m.put(EventType.SLA_STARTED, new SlaEvent.Started(C, SlaMetric.FIRST_RESPONSE, "vip-email", "office",
                Duration.ofHours(4), T, T.plus(Duration.ofHours(64)), 3, 1));
        m.put(EventType.SLA_WARNING, new SlaEvent.Warning(C, SlaMetric.FIRST_RESPONSE, 75, Duration.ofHours(4),
                Duration.ofHours(1), T.plus(Duration.ofHours(64)), T.plus(Duration.ofHours(63)), 3, 1));
        m.put(EventType.SLA_BREACHED, new SlaEvent.Breached(C, SlaMetric.RESOLUTION, Duration.ofHours(40),
                T, T.plusMillis(120), 3, 1));
        m.put(EventType.SLA_MET, new SlaEvent.Met(C, SlaMetric.FIRST_RESPONSE, Duration.ofHours(4),
                Duration.ofMinutes(95), true, T.plus(Duration.ofHours(64)), T, 3, null, 1));
        m.put(EventType.SLA_PAUSED, new SlaEvent.Paused(C, SlaMetric.RESOLUTION, Duration.ofHours(30), T, 3, 1));
        m.put(EventType.SLA_RESUMED, new SlaEvent.Resumed(C, SlaMetric.RESOLUTION, Duration.ofHours(30),
                T.plus(Duration.ofDays(4)), T, 3, 1));
        m.put(EventType.SLA_CANCELLED, new SlaEvent.Cancelled(C, SlaMetric.NEXT_RESPONSE, "contact closed", T, 3, 2, true));
        m.put(EventType.ESCALATION_RAISED, new EscalationEvent.Raised("e-1", C, "supervisor", "legal",
                "legal-threat", "body mentions 'lawyer'", T.plus(Duration.ofMinutes(30)), T, 3,
                "0b9c4e4e-8d0b-4a0f-9f57-3c1f3a7b2d10"));
        m.put(EventType.ESCALATION_LEVEL_CHANGED, new EscalationEvent.LevelChanged("e-1", C, "supervisor",
                "manager", "not acknowledged within PT30M", T.plus(Duration.ofHours(1)), T, 3, "legal", null, null));
        m.put(EventType.ESCALATION_ACKNOWLEDGED, new EscalationEvent.Acknowledged("e-1", C, "manager", "mgr-2", T, 3));
        m.put(EventType.ESCALATION_RESOLVED, new EscalationEvent.Resolved("e-1", C, "manager", T, 3, "contact-resolved"));
        m.put(EventType.COMPLAINT_DEADLINE_MISSED, new EscalationEvent.ComplaintDeadlineMissed(C,
                "acknowledgement", T.minus(Duration.ofMinutes(1)), T, 3));
        m.put(EventType.CRISIS_DECLARED, new EscalationEvent.CrisisDeclared("k-1", "delivery",
                T.minus(Duration.ofHours(1)), T, 57, 6.5, List.of("head-of-service", "communications"), T, 3));
        m.put(EventType.CRISIS_CLEARED, new EscalationEvent.CrisisCleared("k-1", "delivery", T, 3));
        m.put(EventType.SURVEY_REQUESTED, new FeedbackEvent.SurveyRequested("s-1", C, "cust-42", SurveyKind.CSAT,
                Channel.EMAIL, T, T.plus(Duration.ofDays(7)), 3,
                "eyJzIjoicy0xIiwiayI6ImNzYXQiLCJlIjoxNzczNDIzOTAwfQ.3q2-7w0x7o8Jz1qZk0y8Yw4m3l5b6n7c8d9e0f1g2h4",
                SurveyKind.CSAT.question(), 1, 5, true));
        m.put(EventType.FEEDBACK_RECEIVED, new FeedbackEvent.Received("f-1", "s-1", C, SurveyKind.CSAT, 4,
                "Quick and kind", T, 3, null, 0.8));
        m.put(EventType.POLICY_PUBLISHED, new PolicyPublished(3, "policy-admin@acme", T,
                "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", policy));
        return m;
    }

    /** The pinned JSON of a type's sample, {@code samples/<ce_type>.json}. */
    static String json(EventType type) throws IOException {
        try (InputStream in = Samples.class.getResourceAsStream("/samples/" + type.ceType() + ".json")) {
            assertThat(in).as("samples/%s.json", type.ceType()).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private Samples() {
    }
}
