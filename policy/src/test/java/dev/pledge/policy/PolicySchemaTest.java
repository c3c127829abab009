package dev.pledge.policy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.pledge.events.Channel;
import dev.pledge.events.ContactStatus;
import dev.pledge.events.Priority;
import dev.pledge.events.SurveyKind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The published JSON Schema and the loader cannot drift apart: every object the loader reads has
 * exactly its keys in the schema (and no others), every key it requires is required there, and the
 * enumerations are the wire values of the event contract.
 */
class PolicySchemaTest {
    private static final Pattern SEGMENT = Pattern.compile("([^.\\[]+)|\\[(\\d+)]");
    private final JsonNode schema = read(PolicyLoader.schemaText());

    @Test
    void everyObjectTheLoaderReadsHasExactlyItsKeysInTheSchema() {
        PolicyLoader.Shape shape = PolicyLoader.shapeOf(PolicyLoader.parse(PolicyLoader.defaultPolicyText()));
        assertThat(shape.allowed()).isNotEmpty();
        for (Map.Entry<String, Set<String>> e : shape.allowed().entrySet()) {
            JsonNode node = at(e.getKey());
            assertThat(node.path("additionalProperties").asBoolean(true)).as("%s refuses unknown keys", e.getKey()).isFalse();
            Set<String> keys = new HashSet<>();
            node.path("properties").fieldNames().forEachRemaining(keys::add);
            assertThat(keys).as("keys of %s", e.getKey()).isEqualTo(e.getValue());
        }
    }

    @Test
    void everyKeyTheLoaderRequiresIsRequiredInTheSchema() {
        PolicyLoader.Shape shape = PolicyLoader.shapeOf(PolicyLoader.parse(PolicyLoader.defaultPolicyText()));
        for (String path : shape.required()) {
            int dot = path.lastIndexOf('.');
            JsonNode parent = dot < 0 ? schema : at(path.substring(0, dot));
            Set<String> required = new HashSet<>();
            parent.path("required").forEach(n -> required.add(n.asText()));
            assertThat(required).as("required keys at %s", path).contains(path.substring(dot + 1));
        }
    }

    @Test
    void enumerationsAreTheWireValuesOfTheEventContract() {
        assertThat(values(schema.at("/$defs/channel/enum"))).isEqualTo(wire(Arrays.stream(Channel.values()).map(Channel::wire)));
        assertThat(values(schema.at("/$defs/priority/enum"))).isEqualTo(wire(Arrays.stream(Priority.values()).map(Priority::wire)));
        assertThat(values(schema.at("/$defs/status/enum"))).isEqualTo(wire(Arrays.stream(ContactStatus.values()).map(ContactStatus::wire)));
        assertThat(values(schema.at("/properties/feedback/properties/surveys/items/properties/kind/enum")))
                .isEqualTo(wire(Arrays.stream(SurveyKind.values()).map(SurveyKind::wire)));
        assertThat(values(schema.at("/properties/escalation/properties/rules/items/properties/trigger/enum")))
                .isEqualTo(wire(Arrays.stream(Policy.Trigger.values()).map(t -> t.name().toLowerCase().replace('_', '-'))));
    }

    @Test
    void theSchemaInDocsIsTheOneServed() throws Exception {
        assertThat(Files.readString(Path.of("../docs/policy.schema.json"))).isEqualTo(PolicyLoader.schemaText());
    }

    /** The schema node describing the value at a loader path such as {@code sla.rules[3].when}. */
    private JsonNode at(String path) {
        JsonNode node = resolve(schema);
        Matcher m = SEGMENT.matcher(path);
        while (m.find()) {
            if (m.group(2) != null) {
                node = resolve(node.path("items"));
                continue;
            }
            String key = m.group(1);
            JsonNode next = node.path("properties").path(key);
            if (next.isMissingNode()) {
                next = patternProperty(node, key);
            }
            if (next == null || next.isMissingNode()) {
                next = node.path("additionalProperties");
            }
            node = resolve(next);
        }
        return node;
    }

    private static JsonNode patternProperty(JsonNode node, String key) {
        for (Iterator<Map.Entry<String, JsonNode>> it = node.path("patternProperties").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (key.matches(e.getKey())) {
                return e.getValue();
            }
        }
        return null;
    }

    private JsonNode resolve(JsonNode node) {
        while (node.has("$ref")) {
            node = schema.at(node.get("$ref").asText().substring(1));
        }
        return node;
    }

    private static Set<String> values(JsonNode array) {
        Set<String> out = new HashSet<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    private static Set<String> wire(java.util.stream.Stream<String> values) {
        return values.collect(Collectors.toSet());
    }

    private static JsonNode read(String text) {
        try {
            return JsonMapper.builder().build().readTree(text);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
