package dev.pledge.events;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * CloudEvents 1.0 binary mode over Kafka: the attributes as {@code ce_*} headers and the JSON
 * payload as the record value. These are the names SmallRye Reactive Messaging reads into
 * {@code IncomingCloudEventMetadata}, so a service may consume with SmallRye or any Kafka tool.
 */
public final class CloudEventHeaders {
    public static final String SPEC_VERSION = "ce_specversion";
    public static final String ID = "ce_id";
    public static final String TYPE = "ce_type";
    public static final String SOURCE = "ce_source";
    public static final String TIME = "ce_time";
    public static final String SUBJECT = "ce_subject";
    public static final String CONTENT_TYPE = "content-type";

    /** Headers for one event; iteration order is the order they are written in. */
    public static Map<String, String> of(String id, EventType type, String source, Instant time, String subject) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put(SPEC_VERSION, "1.0");
        headers.put(ID, id);
        headers.put(TYPE, type.ceType());
        headers.put(SOURCE, source);
        headers.put(TIME, time.toString());
        headers.put(SUBJECT, subject);
        headers.put(CONTENT_TYPE, "application/json");
        return headers;
    }

    private CloudEventHeaders() {
    }
}
