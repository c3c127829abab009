package dev.pledge.intake;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;

import dev.pledge.events.EventJson;
import dev.pledge.events.PolicyPublished;
import dev.pledge.events.Topics;
import dev.pledge.policy.PolicyLoader;
import dev.pledge.testinfra.PledgeServers;
import dev.pledge.testinfra.TestTokens;
import dev.pledge.testinfra.TopicReader;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

@QuarkusTest
@WithTestResource(value = PledgeServers.class, initArgs = @ResourceArg(name = "database", value = "intake"))
class PolicyIT {
    static final String ADMIN = TestTokens.forRoles("policy-admin");

    @Test
    void defaultPolicyIsInForceAndOnTheTopic() {
        given().auth().oauth2(TestTokens.forRoles("agent")).get("/policy").then().statusCode(200)
                .body("version", greaterThanOrEqualTo(1))
                .body("document.name", equalTo("Default customer promise"));
        try (TopicReader reader = new TopicReader(Topics.SERVICE_POLICY)) {
            List<TopicReader.Record> records = reader.readUntil(rs -> !rs.isEmpty(), Duration.ofSeconds(30));
            assertThat(records.get(0).key()).isEqualTo(Topics.policyKey(1));
            assertThat(records.get(0).header("ce_type")).isEqualTo("pledge.policy.published");
            assertThat(EventJson.fromJson(records.get(0).value(), PolicyPublished.class).version()).isEqualTo(1);
        }
    }

    @Test
    void invalidPolicyIs422WithEveryErrorByPathAndTheVersionInForceStays() {
        int before = given().auth().oauth2(ADMIN).get("/policy").then().extract().path("version");
        String invalid = PolicyLoader.defaultPolicyText()
                .replace("firstResponse: PT2M", "firstResponse: soon")
                .replace("acknowledgeWithin: PT24H", "acknowledgeWithin: P40D");
        given().auth().oauth2(ADMIN).contentType("application/yaml").body(invalid.getBytes()).put("/policy").then()
                .statusCode(422).contentType("application/problem+json")
                .body("errors.field", containsInAnyOrder("sla.rules[3].firstResponse",
                        "complaints.finalResponseWithin"));
        given().auth().oauth2(ADMIN).contentType("application/yaml").body("name: [".getBytes()).put("/policy").then()
                .statusCode(422).body("errors[0].field", equalTo("$"));
        given().auth().oauth2(ADMIN).get("/policy").then().body("version", equalTo(before));
    }

    @Test
    void validPolicyBecomesANewVersionOnTheCompactedTopic() {
        String yaml = PolicyLoader.defaultPolicyText().replace("name: Default customer promise",
                "name: Faster chat promise").replace("firstResponse: PT2M", "firstResponse: PT90S");
        int version = given().auth().oauth2(ADMIN).contentType("application/yaml").body(yaml.getBytes()).put("/policy").then()
                .statusCode(201).extract().path("version");
        given().auth().oauth2(ADMIN).get("/policy").then().body("version", equalTo(version))
                .body("document.name", equalTo("Faster chat promise"));
        given().auth().oauth2(ADMIN).contentType("application/yaml").body(yaml.getBytes()).put("/policy").then()
                .statusCode(200).body("version", equalTo(version)); // the same document again is no new version
        given().auth().oauth2(ADMIN).get("/policy/versions").then().statusCode(200)
                .body("[0].version", equalTo(version));
        // paged, newest first, and never the documents (issue 27, defect 5)
        given().auth().oauth2(ADMIN).queryParam("size", 1).get("/policy/versions").then().statusCode(200)
                .body("size()", equalTo(1)).body("[0].version", equalTo(version))
                .body("[0].document", org.hamcrest.Matchers.nullValue()).body("[0].source", org.hamcrest.Matchers.nullValue());
        given().auth().oauth2(ADMIN).queryParam("size", 1).queryParam("page", 1).get("/policy/versions").then()
                .statusCode(200).body("[0].version", equalTo(version - 1));
        given().auth().oauth2(ADMIN).queryParam("size", 100000).get("/policy/versions").then().statusCode(400)
                .contentType("application/problem+json").body("errors.field", org.hamcrest.Matchers.hasItem("size"));

        try (TopicReader reader = new TopicReader(Topics.SERVICE_POLICY)) {
            List<TopicReader.Record> records = reader.readUntil(rs -> rs.stream().anyMatch(r ->
                    EventJson.fromJson(r.value(), PolicyPublished.class).version() == version), Duration.ofSeconds(30));
            PolicyPublished published = records.stream().map(r -> EventJson.fromJson(r.value(), PolicyPublished.class))
                    .filter(p -> p.version() == version).findFirst().orElseThrow();
            assertThat(PolicyLoader.read(published.document()).name()).isEqualTo("Faster chat promise");
            assertThat(published.publishedBy()).isEqualTo("tester");
        }

        String json = PolicyLoader.toJson(PolicyLoader.parse(yaml.replace("Faster chat promise", "JSON promise")));
        given().auth().oauth2(ADMIN).contentType(ContentType.JSON).body(json).put("/policy").then().statusCode(201)
                .body("version", equalTo(version + 1));
    }

    @Test
    void theJsonSchemaOfThePolicyIsPublishedWithoutAToken() {
        given().get("/policy/schema").then().statusCode(200).contentType(org.hamcrest.Matchers.containsString("json"))
                .body("title", equalTo("Pledge customer-service policy"))
                .body("properties.escalation.properties.rules.items.required", org.hamcrest.Matchers.hasItem("trigger"));
    }
}
