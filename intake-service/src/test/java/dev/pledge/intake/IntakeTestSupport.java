package dev.pledge.intake;

import static io.restassured.RestAssured.given;

import dev.pledge.testinfra.TestPostgres;
import dev.pledge.testinfra.TestTokens;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import java.util.UUID;

/** Requests and database look-ups shared by the intake ITs. */
final class IntakeTestSupport {
    static final String DATABASE = "intake";

    static String contactJson(String customerId, String channel, String body) {
        return """
                {"customer": {"id": "%s", "name": "Grace Hopper", "email": "grace@example.com", "tier": "standard"},
                 "channel": "%s", "subject": "Question", "body": "%s"}
                """.formatted(customerId, channel, body);
    }

    static ValidatableResponse post(String json) {
        return given().auth().oauth2(TestTokens.forRoles("intake")).contentType(ContentType.JSON).body(json)
                .post("/contacts").then();
    }

    static String postAccepted(String json) {
        return post(json).statusCode(202).extract().path("id");
    }

    static String newCustomer() {
        return "cust-" + UUID.randomUUID();
    }

    /** Rows in a table, read over JDBC from the service's real database. */
    static long count(String sql) {
        return TestPostgres.get().count(DATABASE, sql);
    }

    private IntakeTestSupport() {
    }
}
