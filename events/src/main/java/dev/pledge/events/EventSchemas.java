package dev.pledge.events;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.SpecificationVersion;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON Schema (draft 2020-12) of every event type's payload, as published in {@code docs/schemas/<ce_type>.json}
 * and referenced by {@code docs/asyncapi.yaml}; this jar carries both under {@link #CONTRACT}. Validates a record's
 * value against the schema its {@code ce_type} names.
 *
 * <p>Needs {@code com.networknt:json-schema-validator} on the classpath: an optional dependency of this module, declared
 * by what validates (tests, {@code ./pledge tail --validate}), not by the services.
 */
public final class EventSchemas {
    /** Where the contract lies on the classpath (and, served by Quarkus from this jar, under {@code /asyncapi/}). */
    public static final String CONTRACT = "META-INF/resources/asyncapi/";

    private static final SchemaRegistry REGISTRY = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12,
            builder -> builder.schemaRegistryConfig(SchemaRegistryConfig.builder().formatAssertionsEnabled(true).build()));

    private final Map<EventType, Schema> schemas = new EnumMap<>(EventType.class);

    private EventSchemas(boolean closed) {
        for (EventType type : EventType.values()) {
            JsonNode schema = schema(type);
            schemas.put(type, REGISTRY.getSchema(closed ? close(schema.deepCopy()) : schema));
        }
    }

    /** As published: a field a schema does not name is allowed, since readers ignore fields they do not know. */
    public static EventSchemas published() {
        return Published.INSTANCE;
    }

    /**
     * Every object closed to the fields its schema names, for tests of the code that produces events: a field a
     * producer writes but the contract lacks is a violation, not silently allowed.
     */
    public static EventSchemas closed() {
        return Closed.INSTANCE;
    }

    /** The published schema of one type's payload. */
    public static JsonNode schema(EventType type) {
        String path = CONTRACT + "schemas/" + type.ceType() + ".json";
        try (InputStream in = EventSchemas.class.getClassLoader().getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("no schema for " + type.ceType() + " at classpath:" + path);
            }
            return EventJson.mapper().readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + path, e);
        }
    }

    /**
     * What is wrong with a payload of the given {@code ce_type}, one line per violation ({@code /json/pointer: message});
     * empty when it matches. An unknown type or a value that is not JSON is one violation, not an exception.
     */
    public List<String> violations(String ceType, String json) {
        EventType type;
        try {
            type = EventType.of(ceType);
        } catch (IllegalArgumentException e) {
            return List.of(e.getMessage());
        }
        JsonNode value;
        try {
            value = json == null ? null : EventJson.mapper().readTree(json);
        } catch (JsonProcessingException e) {
            return List.of("not JSON: " + e.getOriginalMessage());
        }
        if (value == null || value.isMissingNode()) {
            return List.of("no payload");
        }
        return schemas.get(type).validate(value).stream()
                .map(error -> where(error.getInstanceLocation().toString()) + ": " + error.getMessage())
                .toList();
    }

    /** A JSON Pointer into the payload, {@code /} for the payload itself. */
    private static String where(String pointer) {
        return pointer.isEmpty() ? "/" : pointer;
    }

    /** Sets {@code additionalProperties: false} on every object schema that lists its properties. */
    private static JsonNode close(JsonNode schema) {
        if (schema instanceof ObjectNode object) {
            if (object.has("properties")) {
                object.put("additionalProperties", false);
                object.get("properties").forEach(EventSchemas::close);
            }
            if (object.has("items")) {
                close(object.get("items"));
            }
        }
        return schema;
    }

    private static final class Published {
        static final EventSchemas INSTANCE = new EventSchemas(false);
    }

    private static final class Closed {
        static final EventSchemas INSTANCE = new EventSchemas(true);
    }
}
