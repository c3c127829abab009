package dev.pledge.intake;

import static dev.pledge.intake.IntakeTestSupport.contactJson;
import static dev.pledge.intake.IntakeTestSupport.newCustomer;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import dev.pledge.testinfra.ServiceProcess;
import dev.pledge.testinfra.TcpProxy;
import dev.pledge.testinfra.TestPostgres;
import dev.pledge.testinfra.TestTokens;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * intake-service as its own JVM, its database behind a proxy the test cuts: while the database is
 * away every request answers 503 with Retry-After (never 500), and the service recovers by itself.
 */
class DatabaseOutageIT {
    static final String DATABASE = "intake_outage";

    static ValidatableResponse post(ServiceProcess intake) {
        return given().auth().oauth2(TestTokens.forRoles("intake")).contentType(ContentType.JSON)
                .body(contactJson(newCustomer(), "email", "hello")).post(intake.url() + "/contacts").then();
    }

    /** A proxy in front of the test database, for one intake-service started behind it. */
    static TcpProxy databaseProxy() {
        TestPostgres pg = TestPostgres.get();
        pg.ensureDatabase(DATABASE);
        return new TcpProxy(pg.host(), pg.port());
    }

    /** intake-service reaching its database through the proxy, with these settings besides. */
    static ServiceProcess intakeBehind(TcpProxy proxy, Map<String, String> settings) {
        Map<String, String> env = new java.util.HashMap<>(settings);
        env.put("QUARKUS_DATASOURCE_REACTIVE_URL", "postgresql://127.0.0.1:" + proxy.port() + "/" + DATABASE);
        return ServiceProcess.start(Path.of("target/quarkus-app/quarkus-run.jar"), DATABASE, env);
    }

    @Test
    void whileTheDatabaseIsAwayRequestsAre503WithRetryAfterAndTheServiceRecoversByItself() {
        try (TcpProxy proxy = databaseProxy(); ServiceProcess intake = intakeBehind(proxy, Map.of())) {
            String id = post(intake).statusCode(202).extract().path("id");

            proxy.cut();
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> post(intake).statusCode(503)
                    .contentType("application/problem+json").header("Retry-After", "5"));
            given().auth().oauth2(TestTokens.forRoles("agent")).get(intake.url() + "/contacts/" + id).then()
                    .statusCode(503).contentType("application/problem+json");

            proxy.restore();
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> post(intake).statusCode(202));
            given().auth().oauth2(TestTokens.forRoles("agent")).get(intake.url() + "/contacts/" + id).then()
                    .statusCode(200).body("id", equalTo(id));
        }
    }

    /**
     * Issue 27, defect 8: a database that stops answering (frozen, not gone) gets a 503 within the request
     * timeout, not a request held open; nothing accepted is lost, and a retry with the same key after the
     * thaw finds one contact.
     */
    @Test
    void whileTheDatabaseIsFrozenRequestsAre503WithinTheTimeoutAndARetryFindsOneContact() {
        try (TcpProxy proxy = databaseProxy();
                ServiceProcess intake = intakeBehind(proxy, Map.of("PLEDGE_HTTP_REQUEST_TIMEOUT", "2s"))) {
            String before = post(intake).statusCode(202).extract().path("id");
            String key = "frozen-" + java.util.UUID.randomUUID();
            String body = contactJson(newCustomer(), "chat", "sent while the database was frozen");

            proxy.freeze();
            try {
                long started = System.nanoTime();
                given().auth().oauth2(TestTokens.forRoles("intake")).contentType(ContentType.JSON)
                        .header("Idempotency-Key", key).body(body).post(intake.url() + "/contacts").then()
                        .statusCode(503).contentType("application/problem+json").header("Retry-After", "5");
                long tookMs = (System.nanoTime() - started) / 1_000_000;
                org.assertj.core.api.Assertions.assertThat(tookMs).as("answered within the 2 s timeout, not held")
                        .isLessThan(8_000);
                given().auth().oauth2(TestTokens.forRoles("agent")).get(intake.url() + "/contacts/" + before).then()
                        .statusCode(503).contentType("application/problem+json");
            } finally {
                proxy.thaw();
            }

            String[] id = new String[1];
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> id[0] = given().auth().oauth2(TestTokens.forRoles("intake"))
                    .contentType(ContentType.JSON).header("Idempotency-Key", key).body(body).post(intake.url() + "/contacts")
                    .then().statusCode(202).extract().path("id"));
            given().auth().oauth2(TestTokens.forRoles("intake")).contentType(ContentType.JSON).header("Idempotency-Key", key)
                    .body(body).post(intake.url() + "/contacts").then().statusCode(202).body("id", equalTo(id[0]));
            given().auth().oauth2(TestTokens.forRoles("agent")).get(intake.url() + "/contacts/" + before).then()
                    .statusCode(200);
        }
    }
}
