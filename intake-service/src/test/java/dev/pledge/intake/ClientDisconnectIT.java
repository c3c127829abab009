package dev.pledge.intake;

import static dev.pledge.intake.IntakeTestSupport.contactJson;
import static dev.pledge.intake.IntakeTestSupport.newCustomer;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import dev.pledge.testinfra.PledgeServers;
import dev.pledge.testinfra.TestTokens;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.config.HttpClientConfig;
import io.restassured.config.RestAssuredConfig;
import io.restassured.http.ContentType;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

/**
 * Front ends that hang up mid-request must not take database connections with them: a cancelled
 * request's transaction still finishes and returns its connection (quarkusio/quarkus#51576).
 */
@QuarkusTest
@WithTestResource(value = PledgeServers.class, initArgs = @ResourceArg(name = "database", value = "intake"))
class ClientDisconnectIT {

    @Test
    void clientsThatHangUpMidRequestLeaveTheServiceWorking() throws Exception {
        int port = ConfigProvider.getConfig().getValue("quarkus.http.test-port", Integer.class);
        String token = TestTokens.forRoles("intake");
        for (int i = 0; i < 400; i++) {
            byte[] body = contactJson(newCustomer(), "chat", "hanging up " + i).getBytes(StandardCharsets.UTF_8);
            try (Socket socket = new Socket("localhost", port)) {
                socket.setSoLinger(true, 0); // close with a reset, as a killed client does
                OutputStream out = socket.getOutputStream();
                out.write(("POST /contacts HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + token
                        + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length + "\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                out.write(body);
                out.flush();
                if (i % 4 != 0) {
                    Thread.onSpinWait();
                }
            }
        }
        // A leaked connection stays "idle in transaction" for good; every finished request returns its own.
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(15)).until(() -> IntakeTestSupport.count(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = 'intake' AND state LIKE 'idle in transaction%'") == 0);
        RestAssuredConfig patient = RestAssuredConfig.config().httpClient(HttpClientConfig.httpClientConfig()
                .setParam("http.socket.timeout", 15_000).setParam("http.connection.timeout", 5_000));
        for (int i = 0; i < 30; i++) {
            given().config(patient).auth().oauth2(token).contentType(ContentType.JSON)
                    .body(contactJson(newCustomer(), "email", "still there?")).post("/contacts").then().statusCode(202);
        }
        given().config(patient).auth().oauth2(TestTokens.forRoles("agent")).get("/policy").then().statusCode(200)
                .body("version", org.hamcrest.Matchers.greaterThanOrEqualTo(1));
        int management = ConfigProvider.getConfig().getValue("quarkus.management.test-port", Integer.class);
        // Ready again: the database check up, and the policy consumer (which may still be joining its group).
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).untilAsserted(() ->
                given().config(patient).get("http://localhost:" + management + "/q/health/ready").then().statusCode(200)
                        .body("status", equalTo("UP")));
    }
}
