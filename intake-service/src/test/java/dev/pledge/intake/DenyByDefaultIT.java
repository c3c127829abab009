package dev.pledge.intake;

import static io.restassured.RestAssured.given;

import dev.pledge.testinfra.PledgeServers;
import dev.pledge.testinfra.TestTokens;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import org.junit.jupiter.api.Test;

/** An endpoint someone forgot to annotate with roles is closed, not open (deny-unannotated-endpoints). */
@QuarkusTest
@WithTestResource(value = PledgeServers.class, initArgs = @ResourceArg(name = "database", value = "intake"))
class DenyByDefaultIT {

    /** A resource with no role annotation, as a forgetful developer would write it. */
    @Path("/forgotten")
    public static class ForgottenResource {
        @GET
        public String secret() {
            return "customer data";
        }
    }

    @Test
    void anEndpointWithoutARoleAnnotationIsDeniedEvenWithAValidToken() {
        given().get("/forgotten").then().statusCode(401).contentType("application/problem+json");
        given().auth().oauth2(TestTokens.forRoles("intake", "agent", "supervisor", "policy-admin", "analyst"))
                .get("/forgotten").then().statusCode(403).contentType("application/problem+json");
    }
}
