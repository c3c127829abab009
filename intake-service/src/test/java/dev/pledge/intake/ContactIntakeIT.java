package dev.pledge.intake;

import static dev.pledge.intake.IntakeTestSupport.contactJson;
import static dev.pledge.intake.IntakeTestSupport.newCustomer;
import static dev.pledge.intake.IntakeTestSupport.post;
import static dev.pledge.intake.IntakeTestSupport.postAccepted;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;

import dev.pledge.events.ContactEvent;
import dev.pledge.events.ContactStatus;
import dev.pledge.events.EventJson;
import dev.pledge.events.Topics;
import dev.pledge.testinfra.PledgeServers;
import dev.pledge.testinfra.TestTokens;
import dev.pledge.testinfra.TopicReader;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

@QuarkusTest
@WithTestResource(value = PledgeServers.class, initArgs = @ResourceArg(name = "database", value = "intake"))
class ContactIntakeIT {

    @Test
    void acceptedContactIsStoredAndPublishedAsCloudEventKeyedByContactId() throws Exception {
        String customer = newCustomer();
        var response = post(contactJson(customer, "email", "I was charged twice on my last invoice"))
                .statusCode(202)
                .body("id", notNullValue());
        String id = response.extract().path("id");
        response.header("Location", org.hamcrest.Matchers.endsWith("/contacts/" + id))
                .body("category", equalTo("billing"))
                .body("classifiedBy", equalTo("billing"))
                .body("status", equalTo("open"));

        try (TopicReader reader = new TopicReader(Topics.CONTACT_EVENTS)) {
            List<TopicReader.Record> records = reader.readUntil(rs -> rs.stream().anyMatch(r -> id.equals(r.key())),
                    Duration.ofSeconds(30));
            TopicReader.Record record = records.stream().filter(r -> id.equals(r.key())).findFirst().orElseThrow();
            assertThat(record.header("ce_type")).isEqualTo("pledge.contact.received");
            assertThat(record.header("ce_specversion")).isEqualTo("1.0");
            assertThat(record.header("ce_source")).isEqualTo("/pledge/intake-service");
            assertThat(record.header("ce_subject")).isEqualTo(id);
            assertThat(UUID.fromString(record.header("ce_id"))).isNotNull();
            assertThat(record.header("ce_time")).isNotBlank();
            ContactEvent.Received event = EventJson.fromJson(record.value(), ContactEvent.Received.class);
            assertThat(event.contactId()).isEqualTo(id);
            assertThat(event.customer().id()).isEqualTo(customer);
            assertThat(event.category()).isEqualTo("billing");
            assertThat(event.team()).isEqualTo("billing");
            assertThat(event.policyVersion()).isPositive();
        }

        given().auth().oauth2(TestTokens.forRoles("agent")).get("/contacts/" + id).then().statusCode(200)
                .body("customer.id", equalTo(customer)).body("channel", equalTo("email"));
    }

    @Test
    void retryWithTheSameIdempotencyKeyAnswersTheFirstAnswerAndPublishesNothing() {
        String json = contactJson(newCustomer(), "chat", "Where is my parcel?");
        String key = "retry-" + UUID.randomUUID();
        String first = given().auth().oauth2(TestTokens.forRoles("intake")).contentType(ContentType.JSON)
                .header("Idempotency-Key", key).body(json).post("/contacts").then().statusCode(202)
                .extract().asString();
        String second = given().auth().oauth2(TestTokens.forRoles("intake")).contentType(ContentType.JSON)
                .header("Idempotency-Key", key).body(json).post("/contacts").then().statusCode(202)
                .extract().asString();
        assertThat(second).isEqualTo(first);
        String id = io.restassured.path.json.JsonPath.from(first).getString("id");
        assertThat(publishedFor(id)).hasSize(1);
    }

    @Test
    void retryWithTheSameExternalIdPublishesNothing() {
        String externalId = "ticket-" + UUID.randomUUID();
        String json = """
                {"customer": {"id": "%s"}, "channel": "web", "body": "Hello", "externalId": "%s"}
                """.formatted(newCustomer(), externalId);
        String first = postAccepted(json);
        String second = postAccepted(json);
        assertThat(second).isEqualTo(first);
        assertThat(publishedFor(first)).hasSize(1);
    }

    @Test
    void repeatContactOnTheSameCategoryIsLinkedToTheLatestEarlierOne() {
        String customer = newCustomer();
        String first = postAccepted(contactJson(customer, "email", "My parcel has not been delivered"));
        String second = postAccepted(contactJson(customer, "phone", "Still no delivery of my parcel"));
        String other = postAccepted(contactJson(customer, "email", "Please send a refund for the invoice"));
        String third = postAccepted(contactJson(customer, "chat", "Where is the delivery of my parcel?"));
        String otherAgain = postAccepted(contactJson(customer, "email", "The refund for the invoice has not come"));
        given().auth().oauth2(TestTokens.forRoles("agent")).get("/contacts/" + second).then()
                .body("repeatOf", equalTo(first)).body("category", equalTo("delivery"));
        given().auth().oauth2(TestTokens.forRoles("agent")).get("/contacts/" + other).then()
                .body("repeatOf", org.hamcrest.Matchers.nullValue());
        given().auth().oauth2(TestTokens.forRoles("agent")).get("/contacts/" + third).then()
                .body("repeatOf", equalTo(second)).body("category", equalTo("delivery"));
        given().auth().oauth2(TestTokens.forRoles("agent")).get("/contacts/" + otherAgain).then()
                .body("repeatOf", equalTo(other));
        ContactEvent.Received event = EventJson.fromJson(publishedFor(second).get(0).value(), ContactEvent.Received.class);
        assertThat(event.repeatOf()).isEqualTo(first);
    }

    @Test
    void activitiesProduceTheirEventsInOrder() {
        String id = postAccepted(contactJson(newCustomer(), "email", "A question about my account"));
        String agent = TestTokens.forRoles("agent");
        // an agent's token cannot name another agent; the front end that sent the contact may name the one it acts for
        activity(agent, id, "{\"type\": \"agent-replied\", \"agentId\": \"agent-7\"}").statusCode(422)
                .body("errors[0].field", equalTo("agentId"));
        activity(TestTokens.forRoles("intake"), id, "{\"type\": \"agent-replied\", \"agentId\": \"agent-7\"}")
                .statusCode(200);
        activity(agent, id, "{\"type\": \"status-changed\", \"status\": \"pending\"}").statusCode(200)
                .body("status", equalTo("pending"));
        // the customer answered what we waited for: the contact is open again (status-changed before the reply)
        activity(agent, id, "{\"type\": \"customer-replied\"}").statusCode(200).body("status", equalTo("open"));
        activity(agent, id, "{\"type\": \"updated\", \"priority\": \"urgent\", \"team\": \"accounts\", \"assignee\": \"agent-9\"}")
                .statusCode(200).body("priority", equalTo("urgent")).body("assignee", equalTo("agent-9"));
        activity(agent, id, "{\"type\": \"status-changed\", \"status\": \"resolved\"}").statusCode(200);
        activity(agent, id, "{\"type\": \"status-changed\", \"status\": \"closed\"}").statusCode(200);

        activity(agent, id, "{\"type\": \"status-changed\", \"status\": \"pending\"}").statusCode(409)
                .contentType("application/problem+json")
                .body("detail", equalTo("contact " + id + " is closed and cannot become pending"));
        activity(agent, id, "{\"type\": \"updated\", \"assignee\": \"agent-9\"}").statusCode(200); // no change, no event

        List<TopicReader.Record> records = publishedFor(id, 8);
        assertThat(records).extracting(r -> r.header("ce_type")).containsExactly(
                "pledge.contact.received", "pledge.contact.agent-replied", "pledge.contact.status-changed",
                "pledge.contact.status-changed", "pledge.contact.customer-replied", "pledge.contact.updated",
                "pledge.contact.status-changed", "pledge.contact.status-changed");
        ContactEvent.AgentReplied replied = EventJson.fromJson(records.get(1).value(), ContactEvent.AgentReplied.class);
        assertThat(replied.agentId()).isEqualTo("agent-7");
        assertThat(replied.via()).as("the front end that acted for the agent").isEqualTo("tester");
        ContactEvent.StatusChanged reopened = EventJson.fromJson(records.get(3).value(), ContactEvent.StatusChanged.class);
        assertThat(reopened.from()).isEqualTo(ContactStatus.PENDING);
        assertThat(reopened.to()).isEqualTo(ContactStatus.OPEN);
        ContactEvent.Updated updated = EventJson.fromJson(records.get(5).value(), ContactEvent.Updated.class);
        assertThat(updated.changed()).containsExactly("priority", "team", "assignee");
        assertThat(updated.changedBy()).isEqualTo("tester");
    }

    @Test
    void promisesAreNumberedPerContactAndPublished() {
        String id = postAccepted(contactJson(newCustomer(), "phone", "Where is my sofa?"));
        String agent = TestTokens.forRoles("agent");
        java.time.Instant due = java.time.Instant.now().plus(Duration.ofDays(2)).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        activity(agent, id, "{\"type\": \"promised\", \"what\": \" Call back when the courier confirms \", \"due\": \""
                + due + "\"}").statusCode(200).body("promises", equalTo(1));
        activity(TestTokens.forRoles("intake"), id, "{\"type\": \"promised\", \"what\": \"Refund the delivery fee\", \"due\": \""
                + due.plus(Duration.ofDays(1)) + "\", \"agentId\": \"agent-7\"}").statusCode(200).body("promises", equalTo(2));
        activity(agent, id, "{\"type\": \"promise-kept\", \"promise\": 2}").statusCode(200);

        List<TopicReader.Record> records = publishedFor(id, 4);
        assertThat(records).extracting(r -> r.header("ce_type")).containsExactly("pledge.contact.received",
                "pledge.contact.promise-made", "pledge.contact.promise-made", "pledge.contact.promise-kept");
        ContactEvent.PromiseMade first = EventJson.fromJson(records.get(1).value(), ContactEvent.PromiseMade.class);
        assertThat(first.promise()).isEqualTo(1);
        assertThat(first.what()).isEqualTo("Call back when the courier confirms");
        assertThat(first.due()).isEqualTo(due);
        assertThat(first.madeBy()).isEqualTo("tester");
        ContactEvent.PromiseMade second = EventJson.fromJson(records.get(2).value(), ContactEvent.PromiseMade.class);
        assertThat(second.madeBy()).isEqualTo("agent-7");
        assertThat(second.via()).isEqualTo("tester");
        assertThat(first.via()).as("an agent who called in person").isNull();
        ContactEvent.PromiseKept kept = EventJson.fromJson(records.get(3).value(), ContactEvent.PromiseKept.class);
        assertThat(kept.promise()).isEqualTo(2);
        given().auth().oauth2(agent).get("/contacts/" + id).then().body("promises", equalTo(2));
    }

    @Test
    void aTokenWithAnyByteOfItsSignatureChangedIsRefusedEvenAfterTheTokenWasAccepted() {
        // Verified tokens are remembered (VerifiedTokens, keyed by the whole token): a forgery must not ride on them.
        String token = TestTokens.forRoles("intake");
        String json = contactJson(newCustomer(), "email", "hi");
        given().auth().oauth2(token).contentType(ContentType.JSON).body(json).post("/contacts").then().statusCode(202);
        String tampered = token.substring(0, token.length() - 2) + (token.endsWith("AA") ? "BB" : "AA");
        given().auth().oauth2(tampered).contentType(ContentType.JSON).body(json).post("/contacts").then().statusCode(401)
                .contentType("application/problem+json");
    }

    @Test
    void healthIsOnTheManagementPortWithoutAToken() {
        // With test-port 0 Quarkus picks a free port and records it under the same key.
        int port = org.eclipse.microprofile.config.ConfigProvider.getConfig()
                .getValue("quarkus.management.test-port", Integer.class);
        given().get("http://localhost:" + port + "/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
        given().get("http://localhost:" + port + "/q/metrics").then().statusCode(200)
                .body(org.hamcrest.Matchers.containsString("pledge_outbox_published_total"));
        // per event type, for dashboards: contacts received per second, breaches per minute, ...
        postAccepted(contactJson(newCustomer(), "email", "metrics"));
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                given().get("http://localhost:" + port + "/q/metrics").then()
                        .body(org.hamcrest.Matchers.containsString("pledge_events_published_total{type=\"pledge.contact.received\"}")));
    }

    @Test
    void openApiDescribesTheContactsEndpoint() {
        given().get("/q/openapi?format=json").then().statusCode(200).body("paths", org.hamcrest.Matchers.hasKey("/contacts"));
    }

    static io.restassured.response.ValidatableResponse activity(String token, String id, String json) {
        return given().auth().oauth2(token).contentType(ContentType.JSON).body(json)
                .post("/contacts/" + id + "/activities").then();
    }

    /** Everything published for this contact, read after the first record shows up plus a quiet period. */
    static List<TopicReader.Record> publishedFor(String id) {
        return publishedFor(id, 1);
    }

    static List<TopicReader.Record> publishedFor(String id, int atLeast) {
        try (TopicReader reader = new TopicReader(Topics.CONTACT_EVENTS)) {
            reader.readUntil(rs -> rs.stream().filter(r -> id.equals(r.key())).count() >= atLeast, Duration.ofSeconds(30));
            return reader.readFor(Duration.ofSeconds(2)).stream().filter(r -> id.equals(r.key())).toList();
        }
    }

}
