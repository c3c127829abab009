package dev.pledge.sla;

import static dev.pledge.sla.SlaTestSupport.has;
import static dev.pledge.sla.SlaTestSupport.newContactId;
import static dev.pledge.sla.SlaTestSupport.received;
import static dev.pledge.sla.SlaTestSupport.send;
import static dev.pledge.sla.SlaTestSupport.slaEvents;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.pledge.events.Channel;
import dev.pledge.events.EventJson;
import dev.pledge.events.SlaEvent;
import dev.pledge.events.Topics;
import dev.pledge.testinfra.ServiceProcess;
import dev.pledge.testinfra.TcpProxy;
import dev.pledge.testinfra.TestPostgres;
import dev.pledge.testinfra.TopicReader;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The consumer tells a database outage from a bad record: while sla-service's database is away,
 * events wait (nothing is dead-lettered); once it is back they are applied, each once. A policy version
 * published meanwhile is stored when the database is back, and events naming it are applied under it.
 */
class SlaOutageIT {
    static final String DATABASE = "sla_outage";

    @Test
    void eventsThatArriveWhileTheDatabaseIsAwayAreAppliedWhenItIsBackAndNoneIsDeadLettered() {
        SlaTestSupport.publishTestPolicy();
        TestPostgres pg = TestPostgres.get();
        pg.ensureDatabase(DATABASE);
        try (TcpProxy proxy = new TcpProxy(pg.host(), pg.port());
                ServiceProcess sla = ServiceProcess.start(Path.of("target/quarkus-app/quarkus-run.jar"), DATABASE,
                        Map.of("QUARKUS_DATASOURCE_REACTIVE_URL", "postgresql://127.0.0.1:" + proxy.port() + "/" + DATABASE,
                                "MP_MESSAGING_INCOMING_CONTACT_EVENTS_GROUP_ID", "sla-outage-test"))) {
            await().atMost(Duration.ofSeconds(60)).until(() -> SlaTestSupport.membersWithPartitions("sla-outage-test") == 1);
            proxy.cut();
            String a = newContactId();
            String b = newContactId();
            send(received(a, Channel.PHONE, Instant.now()), received(b, Channel.PHONE, Instant.now()));
            // A policy version published while the database is away is stored once it is back, not passed over;
            // readiness says why it is not ready meanwhile.
            SlaTestSupport.publishPolicy(5, SlaTestSupport.TEST_SLA.replace("firstResponse: PT15S", "firstResponse: PT50S"));
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> io.restassured.RestAssured.given()
                    .get(sla.managementUrl() + "/q/health/ready").then().statusCode(503)
                    .body("checks.find { it.name == 'policy-feed' }.data.problem",
                            org.hamcrest.Matchers.containsString("storing policy version 5")));
            proxy.restore();

            for (String id : List.of(a, b)) {
                assertThat(SlaTestSupport.count(slaEvents(id, has("pledge.sla.started", "first-response"),
                        Duration.ofSeconds(60), Duration.ofSeconds(1)), "pledge.sla.started", "first-response"))
                        .as(id).isEqualTo(1);
            }
            try (TopicReader dlq = new TopicReader(Topics.deadLetter(Topics.CONTACT_EVENTS, "sla-service"))) {
                assertThat(dlq.readFor(Duration.ofSeconds(3))).noneMatch(r -> a.equals(r.key()) || b.equals(r.key()));
            }
            String underFive = newContactId();
            send(received(underFive, Channel.SMS, Instant.now(), "delivery", 5));
            SlaEvent.Started started = slaEvents(underFive, has("pledge.sla.started", "first-response"),
                    Duration.ofSeconds(30), Duration.ZERO).stream()
                    .filter(r -> "pledge.sla.started".equals(r.header("ce_type")))
                    .map(r -> EventJson.fromJson(r.value(), SlaEvent.Started.class)).findFirst().orElseThrow();
            assertThat(started.policyVersion()).isEqualTo(5);
            assertThat(started.target()).isEqualTo(Duration.ofSeconds(50));
            assertThat(pg.count(DATABASE, "SELECT count(*) FROM policy_feed WHERE version = 5")).isEqualTo(1);
        }
    }
}
