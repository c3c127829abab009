package dev.pledge.events;

import java.util.List;

/** Kafka topic names, one per stream. See docs/events.md. */
public final class Topics {
    public static final String CONTACT_EVENTS = "contact-events";
    public static final String SLA_EVENTS = "sla-events";
    public static final String ESCALATION_EVENTS = "escalation-events";
    public static final String FEEDBACK_EVENTS = "feedback-events";
    /** Compacted; one record per version, keyed by {@link #policyKey(int)}, so every version stays readable. */
    public static final String SERVICE_POLICY = "service-policy";

    /**
     * The key of a policy version's record: the version number. Compaction then keeps every version
     * (each is needed to audit or replay decisions taken under it), not only the newest.
     */
    public static String policyKey(int version) {
        return String.valueOf(version);
    }

    public static final List<String> ALL = List.of(CONTACT_EVENTS, SLA_EVENTS, ESCALATION_EVENTS, FEEDBACK_EVENTS, SERVICE_POLICY);

    /** Dead-letter topic of one consuming service: {@code <topic>.dlq.<service>}. */
    public static String deadLetter(String topic, String service) {
        return topic + ".dlq." + service;
    }

    private Topics() {
    }
}
