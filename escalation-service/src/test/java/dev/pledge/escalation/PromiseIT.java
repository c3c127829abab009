package dev.pledge.escalation;

import static dev.pledge.escalation.EscalationTestSupport.escalationEvents;
import static dev.pledge.escalation.EscalationTestSupport.newContactId;
import static dev.pledge.escalation.EscalationTestSupport.received;
import static dev.pledge.escalation.EscalationTestSupport.sendAll;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import dev.pledge.events.ContactEvent;
import dev.pledge.events.ContactStatus;
import dev.pledge.testinfra.ServiceProcess;
import dev.pledge.testinfra.TestTokens;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Promises end to end across two services: contact events as intake writes them, sla-service timing
 * each promise to its due time, escalation-service escalating the one broken. Both run as their own
 * JVMs over the real broker and database.
 */
class PromiseIT {
    static ServiceProcess sla;
    static ServiceProcess escalation;

    @BeforeAll
    static void start() {
        EscalationTestSupport.publishTestPolicy();
        sla = ServiceProcess.start(Path.of("../sla-service/target/quarkus-app/quarkus-run.jar"), "sla", Map.of());
        escalation = ServiceProcess.start(EscalationTestSupport.DATABASE, Map.of());
        EscalationTestSupport.awaitMembersWithPartitions(1);
        // fresh JVMs take seconds over their first events (class loading, JIT): longer than a promise's seconds
        String warmUp = newContactId();
        Instant now = Instant.now();
        sendAll(List.of(received(warmUp, "standard", "Warm-up", "My solicitor says hello.", "billing", null),
                new ContactEvent.PromiseMade(warmUp, 1, "Warm up", now.plusSeconds(60), "agent-1", now),
                new ContactEvent.PromiseKept(warmUp, 1, "agent-1", now)));
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().auth().oauth2(TestTokens.forRoles("agent"))
                .get(sla.url() + "/contacts/" + warmUp + "/sla").then().statusCode(200)
                .body("find { it.metric == 'promise' }.state", equalTo("met")));
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().auth().oauth2(TestTokens.forRoles("agent"))
                .get(escalation.url() + "/contacts/" + warmUp + "/escalations").then().statusCode(200));
    }

    @AfterAll
    static void stop() {
        escalation.close();
        sla.close();
    }

    @Test
    void aPromiseNotKeptByItsTimeEscalatesEvenAfterResolutionAndOneKeptDoesNot() {
        String broken = newContactId();
        String marked = newContactId();
        String replied = newContactId();
        Instant now = Instant.now();
        Instant due = now.plusSeconds(8);
        sendAll(List.of(
                received(broken, "delivery"),
                new ContactEvent.PromiseMade(broken, 1, "Call back with the new delivery date", due, "agent-1", now),
                new ContactEvent.StatusChanged(broken, ContactStatus.OPEN, ContactStatus.RESOLVED, "agent-1",
                        now.plusMillis(500)),
                received(marked, "delivery"),
                new ContactEvent.PromiseMade(marked, 1, "Refund the delivery fee", due, "agent-1", now),
                new ContactEvent.PromiseKept(marked, 1, "agent-1", now.plusSeconds(1)),
                received(replied, "delivery"),
                new ContactEvent.PromiseMade(replied, 1, "Send the invoice again", due, "agent-1", now),
                new ContactEvent.AgentReplied(replied, "agent-1", now.plusSeconds(1), List.of(1))));

        String analyst = TestTokens.forRoles("analyst");
        await().atMost(Duration.ofSeconds(40)).untilAsserted(() -> given().auth().oauth2(analyst)
                .get(sla.url() + "/contacts/" + broken + "/sla").then().statusCode(200)
                .body("find { it.metric == 'promise' }.breached", equalTo(true)));
        await().atMost(Duration.ofSeconds(40)).untilAsserted(() -> given().auth().oauth2(analyst)
                .get(escalation.url() + "/contacts/" + broken + "/escalations").then().statusCode(200)
                .body("escalations[0].team", equalTo("complaints-team"))
                .body("decisions.rule", hasItem("broken-promise"))
                .body("complaint.category", equalTo("long-hold"))); // the policy's brokenPromiseCategory
        // the other two were due at the same time: by now they would have escalated too
        assertThat(escalationEvents(marked, rs -> false, Duration.ofSeconds(2), Duration.ZERO)).isEmpty();
        assertThat(escalationEvents(replied, rs -> false, Duration.ofSeconds(1), Duration.ZERO)).isEmpty();
        given().auth().oauth2(TestTokens.forRoles("agent")).get(sla.url() + "/contacts/" + marked + "/sla").then()
                .statusCode(200).body("find { it.metric == 'promise' }.state", equalTo("met"))
                .body("find { it.metric == 'promise' }.inTarget", equalTo(true));
    }
}
