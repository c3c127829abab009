package dev.pledge.events;

/**
 * The payload of one Pledge event. The CloudEvents attributes (id, type, source, time, subject)
 * travel as {@code ce_*} Kafka headers; this record is the JSON value.
 */
public sealed interface PledgeEvent permits ContactEvent, SlaEvent, EscalationEvent, FeedbackEvent, PolicyPublished {

    /** The record key and {@code ce_subject}: contact id, crisis category, or {@code current} for the policy. */
    String key();

    default EventType type() {
        return EventType.of(getClass());
    }
}
