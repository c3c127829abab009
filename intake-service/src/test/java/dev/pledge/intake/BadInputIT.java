package dev.pledge.intake;

import static dev.pledge.intake.IntakeTestSupport.contactJson;
import static dev.pledge.intake.IntakeTestSupport.count;
import static dev.pledge.intake.IntakeTestSupport.newCustomer;
import static dev.pledge.intake.IntakeTestSupport.post;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import dev.pledge.testinfra.PledgeServers;
import dev.pledge.testinfra.TestTokens;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Every refused request gets its status and a problem body naming the field, and writes nothing. */
@QuarkusTest
@WithTestResource(value = PledgeServers.class, initArgs = @ResourceArg(name = "database", value = "intake"))
class BadInputIT {
    static final String PROBLEM = "application/problem+json";
    long contactsBefore;

    @BeforeEach
    void countRows() {
        contactsBefore = count("SELECT count(*) FROM contact");
    }

    @AfterEach
    void nothingWasStored() {
        assertThat(count("SELECT count(*) FROM contact")).as("contacts stored by a refused request")
                .isEqualTo(contactsBefore);
    }

    @Test
    void malformedJsonIs400() {
        post("{\"customer\": {\"id\": ").statusCode(400).contentType(PROBLEM)
                .body("errors.field", contains("$")).body("detail", containsString("malformed JSON"));
    }

    @Test
    void missingFieldsAre400NamingEachField() {
        post("{\"customer\": {}}").statusCode(400).contentType(PROBLEM)
                .body("errors.field", contains("body", "channel", "customer.id"));
    }

    @Test
    void unknownChannelIs400NamingChannel() {
        post(contactJson(newCustomer(), "fax", "hello")).statusCode(400).contentType(PROBLEM)
                .body("errors[0].field", equalTo("channel"))
                .body("errors[0].message", containsString("unknown Channel 'fax'"));
    }

    @Test
    void badDateIs400NamingOccurredAt() {
        post("""
                {"customer": {"id": "c"}, "channel": "email", "body": "x", "occurredAt": "yesterday"}
                """).statusCode(400).contentType(PROBLEM).body("errors[0].field", equalTo("occurredAt"))
                .body("errors[0].message", containsString("ISO-8601"));
        post("""
                {"customer": {"id": "c"}, "channel": "email", "body": "x", "occurredAt": "2999-01-01T00:00:00Z"}
                """).statusCode(400).body("errors[0].field", equalTo("occurredAt"));
        post("""
                {"customer": {"id": "c"}, "channel": "email", "body": "x", "occurredAt": "-999999999-01-01T00:00:00Z"}
                """).statusCode(400).body("errors[0].field", equalTo("occurredAt"));
    }

    @Test
    void invalidEmailTierCategoryAndUnknownFieldsAreNamed() {
        post("""
                {"customer": {"id": "c", "email": "not-an-email"}, "channel": "email", "body": "x"}
                """).statusCode(400).body("errors.field", contains("customer.email"));
        post("""
                {"customer": {"id": "c", "tier": "platinum"}, "channel": "email", "body": "x"}
                """).statusCode(400).body("errors.field", contains("customer.tier"));
        post("""
                {"customer": {"id": "c"}, "channel": "email", "body": "x", "category": "weather"}
                """).statusCode(400).body("errors.field", contains("category"));
        post("""
                {"customer": {"id": "c"}, "chanel": "email", "body": "x"}
                """).statusCode(400).body("errors.field", contains("chanel"))
                .body("errors[0].message", equalTo("unknown field"));
        post("""
                {"customer": {"id": "c"}, "channel": "email", "body": "x", "priority": 3}
                """).statusCode(400).body("errors.field", contains("priority"));
    }

    @Test
    void bodyOver64KiBIs413() {
        String big = "x".repeat(70 * 1024);
        post(contactJson(newCustomer(), "email", big)).statusCode(413).contentType(PROBLEM)
                .body("detail", containsString("at most 65536"));
    }

    /** Issue 27, defect 5: the HTTP layer's own refusals are problem+json too. */
    @Test
    void bodyOverTheHardCapIs413AndALongUriIs414AsProblems() {
        String big = "x".repeat(1100 * 1024);
        post(contactJson(newCustomer(), "email", big)).statusCode(413).contentType(PROBLEM)
                .body("errors.field", hasItem("body"));
        given().auth().oauth2(TestTokens.forRoles("agent")).get("/contacts/" + "a".repeat(20_000)).then().statusCode(414)
                .contentType(PROBLEM).body("detail", containsString("at most 8192"));
        given().auth().oauth2(TestTokens.forRoles("agent")).get("/contacts/" + "a".repeat(8_000)).then().statusCode(404)
                .contentType(PROBLEM);
    }

    @Test
    void unknownContactIs404() {
        given().auth().oauth2(TestTokens.forRoles("agent")).get("/contacts/no-such-contact").then().statusCode(404)
                .contentType(PROBLEM).body("detail", equalTo("contact no-such-contact does not exist"));
        given().auth().oauth2(TestTokens.forRoles("agent")).contentType(ContentType.JSON)
                .body("{\"type\": \"customer-replied\"}").post("/contacts/no-such-contact/activities").then()
                .statusCode(404).contentType(PROBLEM);
    }

    @Test
    void noTokenIs401AndAForeignTokenToo() {
        given().contentType(ContentType.JSON).body(contactJson(newCustomer(), "email", "hi")).post("/contacts")
                .then().statusCode(401).contentType(PROBLEM).header("WWW-Authenticate", "Bearer");
        given().auth().oauth2(TestTokens.foreign("intake")).contentType(ContentType.JSON)
                .body(contactJson(newCustomer(), "email", "hi")).post("/contacts").then().statusCode(401)
                .contentType(PROBLEM);
    }

    @Test
    void wrongRoleIs403() {
        given().auth().oauth2(TestTokens.forRoles("analyst")).contentType(ContentType.JSON)
                .body(contactJson(newCustomer(), "email", "hi")).post("/contacts").then().statusCode(403)
                .contentType(PROBLEM);
        given().auth().oauth2(TestTokens.forRoles("intake")).contentType("application/yaml").body("name: x".getBytes())
                .put("/policy").then().statusCode(403).contentType(PROBLEM);
    }

    @Test
    void badActivitiesAreNamed() {
        String id = IntakeTestSupport.postAccepted(contactJson(newCustomer(), "chat", "hello"));
        contactsBefore = count("SELECT count(*) FROM contact");
        String agent = TestTokens.forRoles("agent");
        ContactIntakeIT.activity(agent, id, "{\"type\": \"waved\"}").statusCode(400).body("errors.field", hasItem("type"));
        ContactIntakeIT.activity(agent, id, "{\"type\": \"status-changed\"}").statusCode(400)
                .body("errors.field", contains("status"));
        ContactIntakeIT.activity(agent, id, "{\"type\": \"status-changed\", \"status\": \"asleep\"}").statusCode(400)
                .body("errors.field", contains("status"));
        ContactIntakeIT.activity(agent, id, "{\"type\": \"updated\", \"tier\": \"gold\"}").statusCode(400)
                .body("errors.field", contains("tier"));
        ContactIntakeIT.activity(agent, id, "{\"type\": \"status-changed\", \"status\": \"reopened\"}").statusCode(409);
        String tomorrow = java.time.Instant.now().plus(java.time.Duration.ofDays(1)).toString();
        ContactIntakeIT.activity(agent, id, "{\"type\": \"promised\", \"due\": \"" + tomorrow + "\"}").statusCode(400)
                .body("errors.field", contains("what"));
        ContactIntakeIT.activity(agent, id, "{\"type\": \"promised\", \"what\": \"call back\"}").statusCode(400)
                .body("errors.field", contains("due"));
        ContactIntakeIT.activity(agent, id, "{\"type\": \"promised\", \"what\": \"call back\", \"due\": \"2020-01-01T00:00:00Z\"}")
                .statusCode(400).body("errors.field", contains("due"));
        ContactIntakeIT.activity(agent, id, "{\"type\": \"promised\", \"what\": \"call back\", \"due\": \"3026-01-01T00:00:00Z\"}")
                .statusCode(400).body("errors.field", contains("due"));
        ContactIntakeIT.activity(agent, id, "{\"type\": \"promised\", \"what\": \"" + "x".repeat(501) + "\", \"due\": \""
                + tomorrow + "\"}").statusCode(400).body("errors.field", contains("what"));
        ContactIntakeIT.activity(agent, id, "{\"type\": \"promise-kept\"}").statusCode(400)
                .body("errors.field", contains("promise"));
        ContactIntakeIT.activity(agent, id, "{\"type\": \"promise-kept\", \"promise\": 1}").statusCode(400)
                .body("errors.field", contains("promise")); // none made yet
        ContactIntakeIT.activity(agent, id, "{\"type\": \"promise-kept\", \"promise\": 99999999999999999999}")
                .statusCode(400).body("errors.field", contains("promise"));
        assertThat(count("SELECT count(*) FROM outbox WHERE event_key = '" + id + "'")).isZero();
        assertThat(ContactIntakeIT.publishedFor(id)).hasSize(1); // contact.received only
        given().auth().oauth2(agent).get("/contacts/" + id).then().body("status", equalTo("open"));
    }

    @Test
    void aNulCharacterIs400NamingTheField() {
        post("""
                {"customer": {"id": "c"}, "channel": "email", "subject": "a\\u0000b", "body": "x"}
                """).statusCode(400).contentType(PROBLEM).body("errors.field", contains("subject"))
                .body("errors[0].message", containsString("NUL"));
        given().auth().oauth2(TestTokens.forRoles("agent")).urlEncodingEnabled(false).get("/contacts/a%00b").then()
                .statusCode(400).contentType(PROBLEM).body("errors.field", contains("id"));
    }

    @Test
    void valuesLongerThanTheirColumnsAre400() {
        post("""
                {"customer": {"id": "c", "phone": "+%s"}, "channel": "phone", "body": "x"}
                """.formatted("1".repeat(40))).statusCode(400).contentType(PROBLEM)
                .body("errors.field", contains("customer.phone"));
        given().auth().oauth2(TestTokens.forRoles("intake")).contentType(ContentType.JSON)
                .header("Idempotency-Key", "k".repeat(201)).body(contactJson(newCustomer(), "email", "hi"))
                .post("/contacts").then().statusCode(400).contentType(PROBLEM)
                .body("errors.field", contains("Idempotency-Key"));
    }

    @Test
    void anInstantSentAsANumberIs400RatherThanTheEpoch() {
        post("""
                {"customer": {"id": "c"}, "channel": "email", "body": "x", "occurredAt": 1e999999}
                """).statusCode(400).contentType(PROBLEM).body("errors.field", contains("occurredAt"))
                .body("errors[0].message", containsString("ISO-8601"));
        post("""
                {"customer": {"id": "c"}, "channel": "email", "body": "x", "occurredAt": 1700000000}
                """).statusCode(400).body("errors.field", contains("occurredAt"));
    }

    @Test
    void aTokenForAnotherAudienceIs401() {
        given().auth().oauth2(TestTokens.forAudience("some-other-api", "intake")).contentType(ContentType.JSON)
                .body(contactJson(newCustomer(), "email", "hi")).post("/contacts").then().statusCode(401)
                .contentType(PROBLEM);
    }
}
