package dev.pledge.intake;

import static dev.pledge.intake.IntakeTestSupport.contactJson;
import static dev.pledge.intake.IntakeTestSupport.count;
import static dev.pledge.intake.IntakeTestSupport.newCustomer;
import static dev.pledge.intake.IntakeTestSupport.postAccepted;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasItem;

import dev.pledge.testinfra.PledgeServers;
import dev.pledge.testinfra.TestPostgres;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

/** A row the broker refuses for good is parked with its reason, and the rows behind it flow. */
@QuarkusTest
@WithTestResource(value = PledgeServers.class, initArgs = @ResourceArg(name = "database", value = "intake"))
class OutboxParkingIT {

    @Test
    void aRecordTheBrokerRefusesIsParkedAndTheEventsBehindItArePublished() {
        // 2 MB: over the producer's max.request.size, refused however often it is tried.
        TestPostgres.get().execute(IntakeTestSupport.DATABASE, "INSERT INTO outbox (event_id, topic, event_key, ce_type,"
                + " ce_time, payload) VALUES (gen_random_uuid(), 'contact-events', 'too-large', 'pledge.contact.received',"
                + " now(), repeat('x', 2000000))");
        String id = postAccepted(contactJson(newCustomer(), "email", "behind a record the broker refuses"));

        assertThat(ContactIntakeIT.publishedFor(id)).hasSize(1);
        await().atMost(Duration.ofSeconds(10)).until(() -> count("SELECT count(*) FROM outbox_parked WHERE event_key"
                + " = 'too-large' AND reason LIKE '%RecordTooLarge%'") == 1);
        assertThat(count("SELECT count(*) FROM outbox WHERE event_key = 'too-large'")).isZero();

        int port = ConfigProvider.getConfig().getValue("quarkus.management.test-port", Integer.class);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> given().get("http://localhost:" + port
                + "/q/health/ready").then().statusCode(200).body("checks.name", hasItem("outbox"))
                .body("checks.find { it.name == 'outbox' }.data.parked", org.hamcrest.Matchers.greaterThanOrEqualTo(1)));
        given().get("http://localhost:" + port + "/q/metrics").then().statusCode(200)
                .body(containsString("pledge_outbox_parked")).body(containsString("pledge_outbox_oldest_unpublished_seconds"));
    }
}
