package dev.pledge.events;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Pins {@code docs/schemas/<ce_type>.json} to the records in this module, and the samples to the schemas: a component
 * added to a record, a type changed, an enum constant added, or a sample that drifts fails here, naming what.
 */
class EventSchemasTest {
    /**
     * A duration as {@code java.time.Duration} writes it. Not the {@code duration} format: RFC 3339's grammar, which
     * JSON Schema's format names, allows no fraction of a second, and an elapsed or remaining time has them.
     */
    static final String DURATION = "^PT(?=\\d)(\\d+H)?(\\d+M)?(\\d+(\\.\\d{1,9})?S)?$";

    @ParameterizedTest
    @EnumSource(EventType.class)
    void everySchemaNamesExactlyItsRecordsFieldsWithTheirJsonTypes(EventType type) {
        assertThat(mismatches(type.payload(), EventSchemas.schema(type), type.ceType())).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(EventType.class)
    void everySchemaIsDraft2020WithUnknownFieldsAllowed(EventType type) {
        JsonNode schema = EventSchemas.schema(type);
        assertThat(schema.path("$schema").asText()).isEqualTo("https://json-schema.org/draft/2020-12/schema");
        assertThat(schema.path("title").asText()).isEqualTo(type.ceType());
        assertThat(schema.path("description").asText()).isNotBlank();
        assertThat(schema.path("additionalProperties").asBoolean(true)).as("readers ignore fields they do not know").isTrue();
    }

    @ParameterizedTest
    @EnumSource(EventType.class)
    void everySampleMatchesItsSchemaWithNoFieldTheSchemaLacks(EventType type) throws IOException {
        String sample = Samples.json(type);
        assertThat(EventSchemas.published().violations(type.ceType(), sample)).isEmpty();
        assertThat(EventSchemas.closed().violations(type.ceType(), sample)).isEmpty();
        assertThat(EventSchemas.closed().violations(type.ceType(), EventJson.toJson(Samples.all().get(type)))).isEmpty();
    }

    @Test
    void everyDurationJavaWritesMatchesTheDurationPatternAndWordsDoNot() {
        for (Duration d : List.of(Duration.ZERO, Duration.ofMillis(1), Duration.ofNanos(24_983_998_000L),
                Duration.ofHours(64), Duration.ofDays(1).plusHours(2).plusMinutes(3).plusNanos(4_000_000_001L))) {
            assertThat(d.toString()).matches(DURATION.substring(1, DURATION.length() - 1));
        }
        for (String wrong : List.of("4 hours", "PT", "P", "PT1.5M", "PT-5S", "4H")) {
            assertThat(wrong).doesNotMatch(DURATION.substring(1, DURATION.length() - 1));
        }
    }

    @Test
    void aSampleMissingARequiredFieldFailsNamingIt() throws IOException {
        ObjectNode sample = (ObjectNode) EventJson.mapper().readTree(Samples.json(EventType.SLA_BREACHED));
        sample.remove("deadline");

        assertThat(EventSchemas.published().violations("pledge.sla.breached", sample.toString()))
                .singleElement().asString().isEqualTo("/: required property 'deadline' not found");
    }

    @Test
    void aFieldTheSchemaLacksPassesAsPublishedAndFailsClosed() throws IOException {
        ObjectNode sample = (ObjectNode) EventJson.mapper().readTree(Samples.json(EventType.CONTACT_RECEIVED));
        ((ObjectNode) sample.get("customer")).put("loyaltyPoints", 12);

        assertThat(EventSchemas.published().violations("pledge.contact.received", sample.toString())).isEmpty();
        assertThat(EventSchemas.closed().violations("pledge.contact.received", sample.toString()))
                .singleElement().asString().contains("/customer: ").contains("loyaltyPoints");
    }

    @Test
    void wrongTypesFormatsAndEnumValuesFail() throws IOException {
        ObjectNode sample = (ObjectNode) EventJson.mapper().readTree(Samples.json(EventType.SLA_MET));
        sample.put("metric", "first_response").put("target", "4 hours").put("at", "yesterday").put("policyVersion", "3");

        assertThat(String.join("\n", EventSchemas.published().violations("pledge.sla.met", sample.toString())))
                .contains("/metric: ", "/target: ", "/at: ", "/policyVersion: ");
    }

    @Test
    void anUnknownTypeOrAValueThatIsNotJsonIsAViolationNotAnException() {
        assertThat(EventSchemas.published().violations("pledge.contact.teleported", "{}"))
                .containsExactly("unknown event type 'pledge.contact.teleported'");
        assertThat(EventSchemas.published().violations("pledge.contact.customer-replied", "{\"contactId\":"))
                .singleElement().asString().startsWith("not JSON");
    }

    @Test
    void theRecordCheckBitesOnAFieldTheSchemaLacksATypeAndAnEnum() {
        ObjectNode schema = EventSchemas.schema(EventType.CONTACT_STATUS_CHANGED).deepCopy();
        ObjectNode properties = (ObjectNode) schema.get("properties");
        properties.remove("changedBy");
        ((ObjectNode) properties.get("occurredAt")).put("format", "date");
        ((ArrayNode) properties.get("to").get("enum")).remove(0);
        properties.putObject("reason").put("type", "string");

        assertThat(mismatches(ContactEvent.StatusChanged.class, schema, "status-changed")).containsExactlyInAnyOrder(
                "status-changed: changedBy is a field of the record but not of the schema",
                "status-changed: reason is in the schema but not a field of the record",
                "status-changed.occurredAt: format date, the record's Instant wants date-time",
                "status-changed.to: enum [pending, on-hold, resolved, closed, reopened], the record's ContactStatus has "
                        + "[open, pending, on-hold, resolved, closed, reopened]");
    }

    @Test
    void aPrimitiveFieldIsAlwaysWrittenSoItsSchemaMustRequireIt() {
        ObjectNode schema = EventSchemas.schema(EventType.CONTACT_PROMISE_KEPT).deepCopy();
        ArrayNode required = (ArrayNode) schema.get("required");
        for (int i = 0; i < required.size(); i++) {
            if (required.get(i).asText().equals("promise")) {
                required.remove(i);
            }
        }
        assertThat(mismatches(ContactEvent.PromiseKept.class, schema, "promise-kept"))
                .containsExactly("promise-kept.promise: an int is always written, so the schema must require it");
    }

    /**
     * Every difference between a record and its schema: fields one has and the other lacks, JSON types, formats and
     * enums, required primitives, required names that are no field. Nested records are compared the same way.
     */
    static List<String> mismatches(Class<?> record, JsonNode schema, String path) {
        List<String> found = new ArrayList<>();
        JsonNode properties = schema.path("properties");
        Set<String> fields = new HashSet<>();
        for (RecordComponent component : record.getRecordComponents()) {
            fields.add(component.getName());
            JsonNode property = properties.get(component.getName());
            if (property == null) {
                found.add(path + ": " + component.getName() + " is a field of the record but not of the schema");
                continue;
            }
            String at = path + "." + component.getName();
            found.addAll(typeMismatches(component.getGenericType(), property, at));
            if (component.getType().isPrimitive() && !required(schema).contains(component.getName())) {
                found.add(at + ": an " + component.getType() + " is always written, so the schema must require it");
            }
        }
        for (Iterator<String> names = properties.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!fields.contains(name)) {
                found.add(path + ": " + name + " is in the schema but not a field of the record");
            }
        }
        for (String name : required(schema)) {
            if (!fields.contains(name)) {
                found.add(path + ": " + name + " is required but not a field of the record");
            }
        }
        return found;
    }

    private static List<String> typeMismatches(Type javaType, JsonNode property, String at) {
        List<String> found = new ArrayList<>();
        Class<?> raw = javaType instanceof ParameterizedType p ? (Class<?>) p.getRawType() : (Class<?>) javaType;
        String type = property.path("type").asText();
        String expected = jsonType(raw);
        if (!type.equals(expected)) {
            found.add(at + ": type " + type + ", the record's " + raw.getSimpleName() + " wants " + expected);
            return found;
        }
        if (raw == Instant.class && !"date-time".equals(property.path("format").asText(null))) {
            found.add(at + ": format " + property.path("format").asText(null) + ", the record's Instant wants date-time");
        }
        if (raw == Duration.class && !DURATION.equals(property.path("pattern").asText(null))) {
            found.add(at + ": pattern " + property.path("pattern").asText(null) + ", the record's Duration wants " + DURATION);
        }
        if (raw.isEnum()) {
            List<String> wire = Arrays.stream(raw.getEnumConstants())
                    .map(constant -> EventJson.mapper().convertValue(constant, String.class)).toList();
            List<String> listed = new ArrayList<>();
            property.path("enum").forEach(value -> listed.add(value.asText()));
            if (!listed.equals(wire)) {
                found.add(at + ": enum " + listed + ", the record's " + raw.getSimpleName() + " has " + wire);
            }
        }
        if (raw == List.class) {
            found.addAll(typeMismatches(((ParameterizedType) javaType).getActualTypeArguments()[0], property.path("items"),
                    at + "[]"));
        }
        if (raw.isRecord()) {
            found.addAll(mismatches(raw, property, at));
        }
        return found;
    }

    private static String jsonType(Class<?> raw) {
        if (raw == String.class || raw == Instant.class || raw == Duration.class || raw.isEnum()) {
            return "string";
        }
        if (raw == int.class || raw == Integer.class || raw == long.class || raw == Long.class) {
            return "integer";
        }
        if (raw == double.class || raw == Double.class) {
            return "number";
        }
        if (raw == boolean.class || raw == Boolean.class) {
            return "boolean";
        }
        if (raw == List.class) {
            return "array";
        }
        if (raw.isRecord() || JsonNode.class.isAssignableFrom(raw)) {
            return "object";
        }
        throw new IllegalArgumentException("no JSON type for " + raw + ": say how it is written in EventJson and here");
    }

    private static Set<String> required(JsonNode schema) {
        Set<String> names = new TreeSet<>();
        schema.path("required").forEach(name -> names.add(name.asText()));
        return names;
    }

}
