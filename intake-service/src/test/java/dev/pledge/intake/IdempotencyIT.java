package dev.pledge.intake;

import static dev.pledge.intake.IntakeTestSupport.contactJson;
import static dev.pledge.intake.IntakeTestSupport.count;
import static dev.pledge.intake.IntakeTestSupport.newCustomer;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;

import dev.pledge.intake.repository.ContactRepository;
import dev.pledge.testinfra.PledgeServers;
import dev.pledge.testinfra.TestPostgres;
import dev.pledge.testinfra.TestTokens;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** Retries, concurrent and sequential, with Idempotency-Key and externalId: one contact, never a 5xx. */
@QuarkusTest
@WithTestResource(value = PledgeServers.class, initArgs = @ResourceArg(name = "database", value = "intake"))
class IdempotencyIT {
    static final String INTAKE = TestTokens.forRoles("intake");

    static Response postWithKey(String token, String key, String json) {
        var request = given().auth().oauth2(token).contentType(ContentType.JSON).body(json);
        if (key != null) {
            request = request.header("Idempotency-Key", key);
        }
        return request.post("/contacts");
    }

    @Test
    void fiftyConcurrentRequestsWithOneKeyMakeOneContactAndOneEventAndNo5xx() throws Exception {
        String key = "burst-" + UUID.randomUUID();
        String json = contactJson(newCustomer(), "chat", "Where is my parcel?");
        ExecutorService pool = Executors.newFixedThreadPool(50);
        try {
            List<Callable<Response>> calls = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                calls.add(() -> postWithKey(INTAKE, key, json));
            }
            List<Response> responses = new ArrayList<>();
            for (Future<Response> f : pool.invokeAll(calls)) {
                responses.add(f.get());
            }
            assertThat(responses).extracting(Response::statusCode).containsOnly(202);
            assertThat(responses).extracting(r -> r.path("id").toString()).containsOnly(responses.get(0).path("id").toString());
            String id = responses.get(0).path("id");
            assertThat(count("SELECT count(*) FROM contact WHERE idempotency_key = '" + key + "'")).isEqualTo(1);
            assertThat(ContactIntakeIT.publishedFor(id)).hasSize(1);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void theSameKeyWithAnotherBodyIs422NamingTheKey() {
        String key = "changed-" + UUID.randomUUID();
        postWithKey(INTAKE, key, contactJson(newCustomer(), "chat", "first body")).then().statusCode(202);
        postWithKey(INTAKE, key, contactJson(newCustomer(), "chat", "another body")).then().statusCode(422)
                .contentType("application/problem+json").body("errors.field", contains("Idempotency-Key"));
    }

    @Test
    void keysAreScopedToTheCaller() {
        String key = "shared-" + UUID.randomUUID();
        String json = contactJson(newCustomer(), "email", "my personal details");
        String mine = postWithKey(INTAKE, key, json).then().statusCode(202).extract().path("id");
        String other = TestTokens.forSubject("another-front-end", TestTokens.AUDIENCE, "intake");
        String theirs = postWithKey(other, key, json).then().statusCode(202).extract().path("id");
        assertThat(theirs).isNotEqualTo(mine);
    }

    /** The key's index holds the caller and the key as one value; written one after the other they may coincide. */
    @Test
    void aCallerAndKeyThatSpellAnothersStillMakeTheirOwnContact() {
        String key = UUID.randomUUID().toString();
        String json = contactJson(newCustomer(), "email", "run together");
        String shortCaller = TestTokens.forSubject("front-end-a", TestTokens.AUDIENCE, "intake");
        String longCaller = TestTokens.forSubject("front-end-ab", TestTokens.AUDIENCE, "intake");
        String first = postWithKey(shortCaller, "b" + key, json).then().statusCode(202).extract().path("id");
        String second = postWithKey(longCaller, key, json).then().statusCode(202).extract().path("id");
        assertThat(second).isNotEqualTo(first);
        postWithKey(longCaller, key, json).then().statusCode(202).body("id", equalTo(second));
    }

    /**
     * A retry reads the first contact through the keys' index, whatever the caller and key (a generic plan),
     * never from the whole table (at millions of contacts a retry would take seconds).
     */
    @Test
    void aRetryIsLookedUpThroughTheKeysIndex() throws Exception {
        try (Connection db = TestPostgres.get().connect(IntakeTestSupport.DATABASE); Statement s = db.createStatement()) {
            s.execute("SET enable_seqscan = off");
            s.execute("SET plan_cache_mode = force_generic_plan");
            s.execute("PREPARE by_key(varchar, varchar) AS " + ContactRepository.ID_BY_IDEMPOTENCY_KEY);
            StringBuilder plan = new StringBuilder();
            try (ResultSet rows = s.executeQuery("EXPLAIN EXECUTE by_key('front-end', 'key')")) {
                while (rows.next()) {
                    plan.append(rows.getString(1)).append('\n');
                }
            }
            assertThat(plan.toString()).contains("contact_caller_idempotency_key").doesNotContain("Seq Scan");
        }
    }

    @Test
    void aRetryWithANewKeyAndTheSameExternalIdAnswersTheFirstContact() {
        String externalId = "ext-" + UUID.randomUUID();
        String json = """
                {"customer": {"id": "%s"}, "channel": "web", "body": "hello", "externalId": "%s"}
                """.formatted(newCustomer(), externalId);
        String first = postWithKey(INTAKE, "k1-" + externalId, json).then().statusCode(202).extract().path("id");
        String second = postWithKey(INTAKE, "k2-" + externalId, json).then().statusCode(202).extract().path("id");
        String third = postWithKey(INTAKE, null, json).then().statusCode(202).extract().path("id");
        assertThat(second).isEqualTo(first);
        assertThat(third).isEqualTo(first);
        assertThat(count("SELECT count(*) FROM contact WHERE external_id = '" + externalId + "'")).isEqualTo(1);
    }

    static Response activityWithKey(String token, String contactId, String key, String json) {
        var request = given().auth().oauth2(token).contentType(ContentType.JSON).body(json);
        if (key != null) {
            request = request.header("Idempotency-Key", key);
        }
        return request.post("/contacts/" + contactId + "/activities");
    }

    @Test
    void aRetriedActivityIsAppliedOnceAndItsKeyIsTheCallersAlone() throws Exception {
        String id = postWithKey(INTAKE, null, contactJson(newCustomer(), "email", "Where is my refund?"))
                .then().statusCode(202).extract().path("id");
        String agent = TestTokens.forRoles("agent");
        String key = "activity-" + UUID.randomUUID();
        String promised = "{\"type\": \"promised\", \"what\": \"Refund\", \"due\": \""
                + java.time.Instant.now().plus(Duration.ofDays(1)).truncatedTo(java.time.temporal.ChronoUnit.SECONDS) + "\"}";
        ExecutorService pool = Executors.newFixedThreadPool(20);
        try {
            List<Callable<Response>> calls = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                calls.add(() -> activityWithKey(agent, id, key, promised));
            }
            for (Future<Response> f : pool.invokeAll(calls)) {
                assertThat(f.get().statusCode()).isEqualTo(200);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(count("SELECT promises FROM contact WHERE id = '" + id + "'")).isEqualTo(1);
        assertThat(ContactIntakeIT.publishedFor(id, 2)).extracting(r -> r.header("ce_type"))
                .containsExactly("pledge.contact.received", "pledge.contact.promise-made");
        // the same key with another body, or for another contact, is 422 and writes nothing
        activityWithKey(agent, id, key, "{\"type\": \"customer-replied\"}").then().statusCode(422)
                .contentType("application/problem+json").body("errors.field", contains("Idempotency-Key"));
        // another caller's key is another key
        String otherAgent = TestTokens.forSubject("another-agent", TestTokens.AUDIENCE, "agent");
        activityWithKey(otherAgent, id, key, promised).then().statusCode(200).body("promises", equalTo(2));
        // dated before the contact: 422 naming occurredAt, nothing written
        activityWithKey(agent, id, null, "{\"type\": \"customer-replied\", \"occurredAt\": \"2001-01-01T00:00:00Z\"}")
                .then().statusCode(422).body("errors.field", contains("occurredAt"));
    }

    /** Activity keys are remembered for a week (pledge.intake.activity-key-retention), then pruned. */
    @Test
    void activityKeysArePrunedAfterTheirRetention() {
        String key = "old-" + UUID.randomUUID();
        TestPostgres.get().execute(IntakeTestSupport.DATABASE,
                "INSERT INTO activity_key VALUES ('tester', '" + key + "', 'c-x', 'h', now() - interval '8 days'),"
                        + " ('tester', 'new-" + key + "', 'c-x', 'h', now())");
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20))
                .until(() -> count("SELECT count(*) FROM activity_key WHERE idempotency_key = '" + key + "'") == 0);
        assertThat(count("SELECT count(*) FROM activity_key WHERE idempotency_key = 'new-" + key + "'")).isEqualTo(1);
    }
}
