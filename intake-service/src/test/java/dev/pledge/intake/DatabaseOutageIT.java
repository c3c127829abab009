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

    @Test
    void whileTheDatabaseIsAwayRequestsAre503WithRetryAfterAndTheServiceRecoversByItself() {
        TestPostgres pg = TestPostgres.get();
        pg.ensureDatabase(DATABASE);
        try (TcpProxy proxy = new TcpProxy(pg.host(), pg.port());
                ServiceProcess intake = ServiceProcess.start(Path.of("target/quarkus-app/quarkus-run.jar"), DATABASE,
                        Map.of("QUARKUS_DATASOURCE_REACTIVE_URL", "postgresql://127.0.0.1:" + proxy.port() + "/" + DATABASE))) {
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
}
