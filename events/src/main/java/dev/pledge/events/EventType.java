package dev.pledge.events;

import java.util.Arrays;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/** Every event type: its CloudEvents {@code ce_type}, its topic and its payload record. */
public enum EventType {
    CONTACT_RECEIVED("pledge.contact.received", Topics.CONTACT_EVENTS, ContactEvent.Received.class),
    CONTACT_UPDATED("pledge.contact.updated", Topics.CONTACT_EVENTS, ContactEvent.Updated.class),
    CONTACT_AGENT_REPLIED("pledge.contact.agent-replied", Topics.CONTACT_EVENTS, ContactEvent.AgentReplied.class),
    CONTACT_CUSTOMER_REPLIED("pledge.contact.customer-replied", Topics.CONTACT_EVENTS, ContactEvent.CustomerReplied.class),
    CONTACT_STATUS_CHANGED("pledge.contact.status-changed", Topics.CONTACT_EVENTS, ContactEvent.StatusChanged.class),
    CONTACT_PROMISE_MADE("pledge.contact.promise-made", Topics.CONTACT_EVENTS, ContactEvent.PromiseMade.class),
    CONTACT_PROMISE_KEPT("pledge.contact.promise-kept", Topics.CONTACT_EVENTS, ContactEvent.PromiseKept.class),

    SLA_STARTED("pledge.sla.started", Topics.SLA_EVENTS, SlaEvent.Started.class),
    SLA_WARNING("pledge.sla.warning", Topics.SLA_EVENTS, SlaEvent.Warning.class),
    SLA_BREACHED("pledge.sla.breached", Topics.SLA_EVENTS, SlaEvent.Breached.class),
    SLA_MET("pledge.sla.met", Topics.SLA_EVENTS, SlaEvent.Met.class),
    SLA_PAUSED("pledge.sla.paused", Topics.SLA_EVENTS, SlaEvent.Paused.class),
    SLA_RESUMED("pledge.sla.resumed", Topics.SLA_EVENTS, SlaEvent.Resumed.class),
    SLA_CANCELLED("pledge.sla.cancelled", Topics.SLA_EVENTS, SlaEvent.Cancelled.class),

    ESCALATION_RAISED("pledge.escalation.raised", Topics.ESCALATION_EVENTS, EscalationEvent.Raised.class),
    ESCALATION_LEVEL_CHANGED("pledge.escalation.level-changed", Topics.ESCALATION_EVENTS, EscalationEvent.LevelChanged.class),
    ESCALATION_ACKNOWLEDGED("pledge.escalation.acknowledged", Topics.ESCALATION_EVENTS, EscalationEvent.Acknowledged.class),
    ESCALATION_RESOLVED("pledge.escalation.resolved", Topics.ESCALATION_EVENTS, EscalationEvent.Resolved.class),
    COMPLAINT_DEADLINE_MISSED("pledge.complaint.deadline-missed", Topics.ESCALATION_EVENTS, EscalationEvent.ComplaintDeadlineMissed.class),
    CRISIS_DECLARED("pledge.crisis.declared", Topics.ESCALATION_EVENTS, EscalationEvent.CrisisDeclared.class),
    CRISIS_CLEARED("pledge.crisis.cleared", Topics.ESCALATION_EVENTS, EscalationEvent.CrisisCleared.class),

    SURVEY_REQUESTED("pledge.survey.requested", Topics.FEEDBACK_EVENTS, FeedbackEvent.SurveyRequested.class),
    FEEDBACK_RECEIVED("pledge.feedback.received", Topics.FEEDBACK_EVENTS, FeedbackEvent.Received.class),

    POLICY_PUBLISHED("pledge.policy.published", Topics.SERVICE_POLICY, PolicyPublished.class);

    private static final Map<String, EventType> BY_CE_TYPE = Arrays.stream(values())
            .collect(Collectors.toUnmodifiableMap(EventType::ceType, Function.identity()));
    private static final Map<Class<?>, EventType> BY_CLASS = Arrays.stream(values())
            .collect(Collectors.toUnmodifiableMap(EventType::payload, Function.identity()));

    private final String ceType;
    private final String topic;
    private final Class<? extends PledgeEvent> payload;

    EventType(String ceType, String topic, Class<? extends PledgeEvent> payload) {
        this.ceType = ceType;
        this.topic = topic;
        this.payload = payload;
    }

    /** The CloudEvents type, {@code pledge.<noun>.<verb>}. */
    public String ceType() {
        return ceType;
    }

    public String topic() {
        return topic;
    }

    public Class<? extends PledgeEvent> payload() {
        return payload;
    }

    /** The type for a {@code ce_type} header value, or {@link IllegalArgumentException} if unknown or missing. */
    public static EventType of(String ceType) {
        EventType type = ceType == null ? null : BY_CE_TYPE.get(ceType); // Map.of answers null with an NPE
        if (type == null) {
            throw new IllegalArgumentException("unknown event type '" + ceType + "'");
        }
        return type;
    }

    static EventType of(Class<?> payload) {
        return BY_CLASS.get(payload);
    }
}
