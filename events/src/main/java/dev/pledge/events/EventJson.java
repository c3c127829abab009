package dev.pledge.events;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The one JSON mapping of events: ISO-8601 instants and durations, nulls left out, unknown
 * fields ignored so that additive contract changes never break an older reader.
 */
public final class EventJson {

    private static final ObjectMapper MAPPER = configure(JsonMapper.builder()).build();

    /** Applies the event mapping to a builder, for services that configure their own mapper. */
    public static JsonMapper.Builder configure(JsonMapper.Builder builder) {
        return builder.addModule(new JavaTimeModule())
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                .disable(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS)
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .disable(DeserializationFeature.ADJUST_DATES_TO_CONTEXT_TIME_ZONE)
                .serializationInclusion(JsonInclude.Include.NON_NULL);
    }

    public static ObjectMapper mapper() {
        return MAPPER;
    }

    public static String toJson(PledgeEvent event) {
        try {
            return MAPPER.writeValueAsString(event);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write " + event.getClass().getSimpleName() + " as JSON", e);
        }
    }

    /** Reads a payload of the given {@code ce_type}. */
    public static PledgeEvent fromJson(String ceType, byte[] json) {
        EventType type = EventType.of(ceType);
        try {
            return MAPPER.readValue(json, type.payload());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + ceType + " payload", e);
        }
    }

    public static <T extends PledgeEvent> T fromJson(String json, Class<T> payload) {
        try {
            return MAPPER.readValue(json, payload);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + payload.getSimpleName() + " payload", e);
        }
    }

    private EventJson() {
    }
}
