package dev.pledge.events;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * What an SLA timer measures. On the wire in lower case with hyphens. {@code promise} times a
 * promise an agent made (see {@link ContactEvent.PromiseMade}), around the clock until its due time.
 */
public enum SlaMetric {
    FIRST_RESPONSE, NEXT_RESPONSE, RESOLUTION, PROMISE;

    @JsonValue
    public String wire() {
        return Wire.name(this);
    }

    @JsonCreator
    public static SlaMetric of(String value) {
        return Wire.parse(SlaMetric.class, value);
    }
}
