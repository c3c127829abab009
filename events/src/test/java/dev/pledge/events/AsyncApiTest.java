package dev.pledge.events;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Pins {@code docs/asyncapi.yaml} (as this jar carries and the services serve it) to the AsyncAPI 3.0 schema and to
 * the code: every {@link EventType} a message on its topic's channel with its payload schema, every topic a channel,
 * every consumer's dead-letter topic a channel, and no message for a type the code does not know.
 */
class AsyncApiTest {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    @Test
    void theDocumentIsAsyncApi300() throws IOException {
        assertThat(document().path("asyncapi").asText()).isEqualTo("3.0.0");
        assertThat(specViolations(document())).isEmpty();
    }

    @Test
    void theDocumentAgreesWithTheCode() throws IOException {
        assertThat(problems(document())).isEmpty();
    }

    @Test
    void aMisspeltFieldFailsTheSpecNamingWhere() throws IOException {
        ObjectNode document = document();
        ObjectNode channel = (ObjectNode) document.path("channels").path("contactEvents");
        channel.set("adress", channel.remove("address"));

        assertThat(String.join("\n", specViolations(document))).contains("/channels/contactEvents: ");
    }

    @Test
    void aTypeWithoutAMessageOrAMessageWithoutATypeFails() throws IOException {
        ObjectNode document = document();
        ObjectNode messages = (ObjectNode) document.path("components").path("messages");
        messages.remove("slaMet");
        ((ObjectNode) document.path("channels").path("slaEvents").path("messages")).remove("slaMet");
        ObjectNode undeclared = messages.putObject("slaTeleported");
        undeclared.put("name", "pledge.sla.teleported");
        ((ObjectNode) document.path("channels").path("slaEvents").path("messages")).putObject("slaTeleported")
                .put("$ref", "#/components/messages/slaTeleported");

        assertThat(problems(document)).containsExactlyInAnyOrder(
                "pledge.sla.met: no message names it",
                "message slaTeleported: pledge.sla.teleported is no EventType");
    }

    @Test
    void aMessageOnTheWrongChannelOrWithAnotherSchemaFails() throws IOException {
        ObjectNode document = document();
        ((ObjectNode) document.path("channels").path("slaEvents").path("messages")).remove("slaWarning");
        ((ObjectNode) document.path("channels").path("feedbackEvents").path("messages")).putObject("slaWarning")
                .put("$ref", "#/components/messages/slaWarning");
        ((ObjectNode) document.path("components").path("messages").path("slaPaused").path("payload").path("schema"))
                .put("$ref", "schemas/pledge.sla.resumed.json");

        assertThat(problems(document)).containsExactlyInAnyOrder(
                "pledge.sla.warning: on channel(s) [feedback-events], its topic is sla-events",
                "pledge.sla.paused: payload refers to schemas/pledge.sla.resumed.json, not schemas/pledge.sla.paused.json");
    }

    /** What in the document disagrees with the code: one line each. */
    static List<String> problems(JsonNode document) {
        List<String> found = new ArrayList<>();
        JsonNode messages = document.path("components").path("messages");
        Map<String, List<String>> channelsOfMessage = new HashMap<>();
        Map<String, String> channelByAddress = new HashMap<>();
        document.path("channels").fields().forEachRemaining(channel -> {
            String address = channel.getValue().path("address").asText();
            channelByAddress.put(address, channel.getKey());
            channel.getValue().path("messages").forEach(ref -> channelsOfMessage
                    .computeIfAbsent(ref.path("$ref").asText().replace("#/components/messages/", ""), k -> new ArrayList<>())
                    .add(address));
        });
        Map<String, String> messageOfType = new HashMap<>();
        messages.fields().forEachRemaining(message -> {
            String name = message.getValue().path("name").asText();
            if (message.getKey().equals("deadLetter")) {
                return;
            }
            try {
                messageOfType.put(EventType.of(name).ceType(), message.getKey());
            } catch (IllegalArgumentException e) {
                found.add("message " + message.getKey() + ": " + name + " is no EventType");
            }
        });
        for (EventType type : EventType.values()) {
            String id = messageOfType.get(type.ceType());
            if (id == null) {
                found.add(type.ceType() + ": no message names it");
                continue;
            }
            List<String> channels = channelsOfMessage.getOrDefault(id, List.of());
            if (!channels.equals(List.of(type.topic()))) {
                found.add(type.ceType() + ": on channel(s) " + channels + ", its topic is " + type.topic());
            }
            JsonNode message = messages.path(id);
            String schema = "schemas/" + type.ceType() + ".json";
            String ref = message.path("payload").path("schema").path("$ref").asText();
            if (!ref.equals(schema)) {
                found.add(type.ceType() + ": payload refers to " + ref + ", not " + schema);
            }
            if (!message.path("headers").toString().contains("{\"const\":\"" + type.ceType() + "\"}")) {
                found.add(type.ceType() + ": its headers do not pin ce_type");
            }
        }
        for (String topic : Topics.ALL) {
            if (!channelByAddress.containsKey(topic)) {
                found.add(topic + ": no channel");
            }
        }
        document.path("operations").forEach(operation -> {
            String channel = operation.path("channel").path("$ref").asText().replace("#/channels/", "");
            String address = document.path("channels").path(channel).path("address").asText();
            String service = operation.path("x-service").asText();
            if (operation.path("action").asText().equals("receive") && !address.equals(Topics.SERVICE_POLICY)
                    && !channelByAddress.containsKey(Topics.deadLetter(address, service))) {
                found.add(service + " receives " + address + " but no channel is " + Topics.deadLetter(address, service));
            }
        });
        return found;
    }

    static List<String> specViolations(JsonNode document) throws IOException {
        try (InputStream in = AsyncApiTest.class.getResourceAsStream("/asyncapi/asyncapi-3.0.0.schema.json")) {
            Schema spec = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_7)
                    .getSchema(EventJson.mapper().readTree(in));
            return spec.validate(document).stream().map(e -> e.getInstanceLocation() + ": " + e.getMessage()).toList();
        }
    }

    private static ObjectNode document() throws IOException {
        try (InputStream in = AsyncApiTest.class.getClassLoader().getResourceAsStream(EventSchemas.CONTRACT + "asyncapi.yaml")) {
            assertThat(in).as("asyncapi.yaml in the jar").isNotNull();
            return (ObjectNode) YAML.readTree(in);
        }
    }
}
