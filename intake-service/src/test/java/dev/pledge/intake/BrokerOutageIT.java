package dev.pledge.intake;

import static dev.pledge.intake.IntakeTestSupport.contactJson;
import static dev.pledge.intake.IntakeTestSupport.count;
import static dev.pledge.intake.IntakeTestSupport.newCustomer;
import static dev.pledge.intake.IntakeTestSupport.postAccepted;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

import dev.pledge.testinfra.PledgeServers;
import dev.pledge.testinfra.TestKafka;
import dev.pledge.testinfra.TopicReader;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Nothing accepted is lost when the broker is away, and nothing is published twice when it is back. */
@QuarkusTest
@WithTestResource(value = PledgeServers.class, initArgs = @ResourceArg(name = "database", value = "intake"))
class BrokerOutageIT {

    @Test
    void contactAcceptedWhileTheBrokerIsDownIsPublishedOnceItReturns() {
        TestKafka kafka = TestKafka.get();
        assumeThat(kafka.canStop()).as("an external broker cannot be stopped by a test").isTrue();
        String id;
        String customer = newCustomer();
        kafka.stop();
        try {
            id = postAccepted(contactJson(customer, "email", "Accepted during an outage"));
            // Accepted means committed: the event waits in the outbox while the broker is away.
            await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10)).until(() ->
                    count("SELECT count(*) FROM outbox WHERE event_key = '" + id + "'") == 1);
        } finally {
            kafka.start();
        }
        await().atMost(Duration.ofSeconds(60)).until(() ->
                count("SELECT count(*) FROM outbox WHERE event_key = '" + id + "'") == 0);
        try (TopicReader reader = new TopicReader(dev.pledge.events.Topics.CONTACT_EVENTS)) {
            reader.readUntil(rs -> rs.stream().anyMatch(r -> id.equals(r.key())), Duration.ofSeconds(30));
            List<TopicReader.Record> records = reader.readFor(Duration.ofSeconds(5)).stream()
                    .filter(r -> id.equals(r.key())).toList();
            assertThat(records).hasSize(1);
            assertThat(records.get(0).header("ce_type")).isEqualTo("pledge.contact.received");
            assertThat(records.get(0).value()).contains(customer);
        }
    }
}
