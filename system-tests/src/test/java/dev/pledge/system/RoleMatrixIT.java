package dev.pledge.system;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pledge.testinfra.ServiceProcess;
import dev.pledge.testinfra.TestTokens;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The role matrix of docs/security.md, checked against the running services: every endpoint each service's
 * OpenAPI document lists is in the matrix (so a new endpoint cannot skip it), and each is called with no
 * token and with every role. Protected: 401 problem+json without a token (the dashboard page: 303 to sign in),
 * 403 for a role not listed, and for a role listed neither (nor a 5xx: unknown ids and empty bodies answer
 * 404, 400 or 422). Public: never 401 or 403.
 */
class RoleMatrixIT {
    static final List<String> ROLES = List.of("intake", "agent", "supervisor", "policy-admin", "analyst");

    /**
     * One endpoint: its service, method, OpenAPI path, the roles that may call it (null: public), and what a
     * caller without a token gets (401, except the dashboard page, which sends a browser to sign in).
     */
    record Endpoint(String service, String method, String path, Set<String> roles, int anonymous) {
        Endpoint(String service, String method, String path, Set<String> roles) {
            this(service, method, path, roles, 401);
        }

        boolean isPublic() {
            return roles == null;
        }
    }

    static final List<Endpoint> MATRIX = List.of(
            new Endpoint("intake-service", "POST", "/contacts", Set.of("intake")),
            new Endpoint("intake-service", "GET", "/contacts/{id}", Set.of("intake", "agent", "supervisor", "analyst")),
            new Endpoint("intake-service", "POST", "/contacts/{id}/activities", Set.of("intake", "agent", "supervisor")),
            new Endpoint("intake-service", "GET", "/policy", Set.copyOf(ROLES)),
            new Endpoint("intake-service", "PUT", "/policy", Set.of("policy-admin")),
            new Endpoint("intake-service", "GET", "/policy/schema", null),
            new Endpoint("intake-service", "GET", "/policy/versions", Set.of("supervisor", "policy-admin", "analyst")),
            new Endpoint("intake-service", "GET", "/policy/versions/{version}", Set.of("supervisor", "policy-admin", "analyst")),
            new Endpoint("sla-service", "GET", "/contacts/{id}/sla", Set.of("intake", "agent", "supervisor", "analyst")),
            new Endpoint("sla-service", "GET", "/sla/at-risk", Set.of("agent", "supervisor", "analyst")),
            new Endpoint("sla-service", "GET", "/sla/compliance", Set.of("supervisor", "analyst")),
            new Endpoint("escalation-service", "GET", "/escalations", Set.of("agent", "supervisor", "analyst")),
            new Endpoint("escalation-service", "GET", "/contacts/{id}/escalations", Set.of("agent", "supervisor", "analyst")),
            new Endpoint("escalation-service", "POST", "/escalations/{id}/acknowledge", Set.of("agent", "supervisor")),
            new Endpoint("escalation-service", "GET", "/crises", Set.of("agent", "supervisor", "analyst")),
            new Endpoint("feedback-service", "GET", "/kpis", Set.of("supervisor", "analyst")),
            new Endpoint("feedback-service", "GET", "/insights", Set.of("supervisor", "analyst")),
            new Endpoint("feedback-service", "POST", "/insights/what-if", Set.of("supervisor", "analyst", "policy-admin")),
            new Endpoint("feedback-service", "GET", "/insights/what-if/{id}", Set.of("supervisor", "analyst", "policy-admin")),
            new Endpoint("feedback-service", "POST", "/feedback", null),
            new Endpoint("feedback-service", "GET", "/dashboard", Set.of("supervisor", "analyst"), 303),
            new Endpoint("feedback-service", "GET", "/dashboard/data", Set.of("supervisor", "analyst")),
            new Endpoint("feedback-service", "POST", "/dashboard/what-if", Set.of("supervisor", "analyst")),
            new Endpoint("feedback-service", "GET", "/dashboard/what-if/{id}", Set.of("supervisor", "analyst")),
            new Endpoint("feedback-service", "GET", "/dashboard/sign-in", null),
            new Endpoint("feedback-service", "POST", "/dashboard/sign-in", null));

    static Stack stack;

    @BeforeAll
    static void start() {
        stack = Stack.shared();
    }

    ServiceProcess service(String name) {
        return switch (name) {
            case "intake-service" -> stack.intake;
            case "sla-service" -> stack.sla;
            case "escalation-service" -> stack.escalation;
            case "feedback-service" -> stack.feedback;
            default -> throw new IllegalArgumentException(name);
        };
    }

    @Test
    void everyEndpointOfEveryServiceIsInTheMatrix() {
        for (String name : List.of("intake-service", "sla-service", "escalation-service", "feedback-service")) {
            JsonPath openApi = given().queryParam("format", "json").get(service(name).url() + "/q/openapi").then()
                    .statusCode(200).extract().jsonPath();
            Set<String> served = new TreeSet<>();
            Map<String, Map<String, Object>> paths = openApi.getMap("paths");
            paths.forEach((path, operations) -> operations.keySet().stream()
                    .filter(m -> Set.of("get", "post", "put", "delete", "patch").contains(m))
                    .forEach(m -> served.add(m.toUpperCase() + " " + path)));
            Set<String> listed = new TreeSet<>();
            MATRIX.stream().filter(e -> e.service().equals(name)).forEach(e -> listed.add(e.method() + " " + e.path()));
            assertThat(listed).as(name + ": the matrix (and docs/security.md) lists what its OpenAPI serves")
                    .isEqualTo(served);
        }
    }

    @Test
    void everyEndpointAnswersEachRoleAsTheMatrixSays() {
        List<String> wrong = new ArrayList<>();
        for (Endpoint e : MATRIX) {
            Response anonymous = call(e, r -> r);
            if (e.isPublic()) {
                expect(wrong, e, "no token", anonymous, !Set.of(401, 403).contains(anonymous.statusCode())
                        && anonymous.statusCode() < 500);
            } else {
                expect(wrong, e, "no token", anonymous, anonymous.statusCode() == e.anonymous());
                expect(wrong, e, "no token (problem+json)", anonymous, e.anonymous() != 401
                        || String.valueOf(anonymous.contentType()).startsWith("application/problem+json"));
            }
            for (String role : ROLES) {
                Response r = call(e, spec -> spec.auth().oauth2(TestTokens.forRoles(role)));
                boolean allowed = e.isPublic() || e.roles().contains(role);
                expect(wrong, e, role, r, allowed ? !Set.of(401, 403).contains(r.statusCode()) && r.statusCode() < 500
                        : r.statusCode() == 403);
            }
        }
        assertThat(wrong).as("answers that break the matrix").isEmpty();
    }

    private static void expect(List<String> wrong, Endpoint e, String who, Response r, boolean ok) {
        if (!"nosniff".equals(r.header("X-Content-Type-Options"))
                || !String.valueOf(r.header("Content-Security-Policy")).contains("frame-ancestors 'none'")) {
            wrong.add(e.service() + " " + e.method() + " " + e.path() + " as " + who + ": no nosniff or CSP header");
        }
        if (!ok) {
            wrong.add(e.service() + " " + e.method() + " " + e.path() + " as " + who + ": " + r.statusCode() + " "
                    + r.body().asString().substring(0, Math.min(200, r.body().asString().length())));
        }
    }

    private Response call(Endpoint e, Function<RequestSpecification, RequestSpecification> auth) {
        String path = e.path().replace("{id}", "role-matrix-unknown").replace("{version}", "999999");
        RequestSpecification spec = auth.apply(given().redirects().follow(false));
        if (!e.method().equals("GET")) {
            spec = spec.contentType("application/json").body("{}");
        }
        return spec.request(e.method(), service(e.service()).url() + path);
    }
}
