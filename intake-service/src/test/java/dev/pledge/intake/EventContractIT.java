package dev.pledge.intake;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import dev.pledge.events.CloudEventHeaders;
import dev.pledge.events.EventType;
import dev.pledge.testinfra.PledgeServers;
import dev.pledge.testinfra.TopicReader;
import dev.pledge.testinfra.TopicWriter;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/** The topics' contract (docs/asyncapi.yaml and docs/schemas) as the services serve it, and as the ITs hold them to it. */
@QuarkusTest
@WithTestResource(value = PledgeServers.class, initArgs = @ResourceArg(name = "database", value = "intake"))
class EventContractIT {

    @Test
    void theAsyncApiDocumentAndItsSchemasAreServedNextToOpenApiWithoutAToken() {
        String document = given().get("/asyncapi/asyncapi.yaml").then().statusCode(200).extract().asString();
        assertThat(document).contains("asyncapi: 3.0.0", "$ref: schemas/pledge.contact.received.json");

        // the document's relative $ref resolves against its own address
        String schema = given().get("/asyncapi/schemas/pledge.contact.received.json").then().statusCode(200)
                .contentType(containsString("json")).body("title", equalTo("pledge.contact.received"))
                .extract().asString();
        assertThat(schema).contains("\"$schema\": \"https://json-schema.org/draft/2020-12/schema\"");
        given().get("/asyncapi/schemas/pledge.contact.teleported.json").then().statusCode(404);
    }

    @Test
    void aRecordAServiceWritesWithAFieldTheContractLacksFailsTheTestThatReadsIt() {
        String topic = "contract-check-" + UUID.randomUUID();
        String contact = "c-" + UUID.randomUUID();
        ProducerRecord<String, String> record = new ProducerRecord<>(topic, contact,
                "{\"contactId\":\"" + contact + "\",\"occurredAt\":\"2026-03-06T17:45:00Z\",\"mood\":\"cross\"}");
        CloudEventHeaders.of(UUID.randomUUID().toString(), EventType.CONTACT_CUSTOMER_REPLIED, "/pledge/intake-service",
                Instant.now(), contact).forEach((k, v) -> record.headers().add(k, v.getBytes(StandardCharsets.UTF_8)));
        try (TopicWriter writer = new TopicWriter()) {
            writer.send(record, contact);
        }

        try (TopicReader reader = new TopicReader(topic)) {
            assertThatThrownBy(() -> reader.readUntil(records -> !records.isEmpty(), Duration.ofSeconds(30)))
                    .isInstanceOf(AssertionError.class)
                    .hasMessageContaining("/pledge/intake-service wrote a pledge.contact.customer-replied")
                    .hasMessageContaining("mood");
        }
    }
}
