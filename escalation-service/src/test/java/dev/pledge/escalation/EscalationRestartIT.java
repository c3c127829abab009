package dev.pledge.escalation;

import static dev.pledge.escalation.EscalationTestSupport.VERSION;
import static dev.pledge.escalation.EscalationTestSupport.count;
import static dev.pledge.escalation.EscalationTestSupport.escalationEvents;
import static dev.pledge.escalation.EscalationTestSupport.has;
import static dev.pledge.escalation.EscalationTestSupport.newContactId;
import static dev.pledge.escalation.EscalationTestSupport.received;
import static dev.pledge.escalation.EscalationTestSupport.send;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.pledge.events.EscalationEvent;
import dev.pledge.events.EventJson;
import dev.pledge.events.SlaEvent;
import dev.pledge.events.SlaMetric;
import dev.pledge.events.Topics;
import dev.pledge.testinfra.ServiceProcess;
import dev.pledge.testinfra.TestPostgres;
import dev.pledge.testinfra.TopicReader;
import dev.pledge.testinfra.TopicWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/** Deadlines survive a killed service; a record no handler can apply is set aside and the rest flows. */
class EscalationRestartIT {

    @Test
    void anAcknowledgementDeadlinePassedWhileTheServiceWasKilledFiresOnceRightAfterRestart() {
        EscalationTestSupport.publishTestPolicy();
        String id = newContactId();
        Instant deadline;
        Instant killed;
        try (ServiceProcess first = ServiceProcess.start(EscalationTestSupport.DATABASE, Map.of())) {
            EscalationTestSupport.awaitMembersWithPartitions(1);
            // a fresh JVM takes seconds over its first events (class loading, JIT), longer than the 3 s deadline
            String warmUp = newContactId();
            send(received(warmUp, "standard", "Warm-up", "My solicitor says hello.", "billing", null));
            await().atMost(Duration.ofSeconds(30)).until(() -> TestPostgres.get().count(EscalationTestSupport.DATABASE,
                    "SELECT count(*) FROM escalation WHERE contact_id = '" + warmUp + "'") == 1);
            send(received(id, "delivery"));
            send(new SlaEvent.Breached(id, SlaMetric.FIRST_RESPONSE, Duration.ofMinutes(2), Instant.now(),
                    Instant.now(), VERSION)); // senior-agent, 3 s to acknowledge
            // killed as soon as the escalation is committed, well before its deadline (read from the
            // database: the relay and a topic reader could take longer than the 3 s)
            String escalation = "SELECT count(*) FROM escalation WHERE contact_id = '" + id + "'";
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
                    .until(() -> TestPostgres.get().count(EscalationTestSupport.DATABASE, escalation) == 1);
            first.kill(); // SIGKILL: no shutdown hook, no leaving the consumer group
            killed = Instant.now();
            deadline = Instant.ofEpochSecond(0, 1000 * TestPostgres.get().count(EscalationTestSupport.DATABASE,
                    "SELECT (extract(epoch FROM ack_deadline) * 1000000)::bigint FROM escalation WHERE contact_id = '"
                            + id + "'"));
        }
        assertThat(killed).as("killed before the acknowledgement deadline").isBefore(deadline);
        await().atMost(Duration.ofSeconds(30)).until(() -> Instant.now().isAfter(deadline.plusSeconds(2)));

        try (ServiceProcess second = ServiceProcess.start(EscalationTestSupport.DATABASE, Map.of())) {
            Instant ready = Instant.now();
            List<TopicReader.Record> events = escalationEvents(id, has("pledge.escalation.level-changed", 1),
                    Duration.ofSeconds(30), Duration.ZERO);
            EscalationEvent.LevelChanged climbed = events.stream()
                    .filter(r -> "pledge.escalation.level-changed".equals(r.header("ce_type")))
                    .map(r -> EventJson.fromJson(r.value(), EscalationEvent.LevelChanged.class)).findFirst().orElseThrow();
            assertThat(climbed.fromLevel()).isEqualTo("senior-agent");
            assertThat(climbed.toLevel()).isEqualTo("supervisor");
            assertThat(climbed.reason()).contains(deadline.toString());
            assertThat(climbed.at()).as("fired by the restarted service").isAfter(killed);
            assertThat(Duration.between(ready, climbed.at())).as("fired right after the restart")
                    .isLessThan(Duration.ofSeconds(5));
            // the ladder catches up from the deadline that passed: supervisor's 3 s count from it
            assertThat(climbed.ackDeadline()).isEqualTo(deadline.plusSeconds(3));
            List<TopicReader.Record> all = escalationEvents(id, has("pledge.escalation.level-changed", 3),
                    Duration.ofSeconds(30), Duration.ofSeconds(5));
            assertThat(count(all, "pledge.escalation.raised")).isEqualTo(1);
            assertThat(all.stream().filter(r -> "pledge.escalation.level-changed".equals(r.header("ce_type")))
                    .map(r -> EventJson.fromJson(r.value(), EscalationEvent.LevelChanged.class).toLevel()))
                    .as("each rung once: supervisor, manager, manager again (topLevelRepeats 1)")
                    .containsExactly("supervisor", "manager", "manager");
        }
    }

    @Test
    void aRecordNoHandlerCanReadIsDeadLetteredAndTheNextOneFlows() {
        EscalationTestSupport.publishTestPolicy();
        try (ServiceProcess service = ServiceProcess.start(EscalationTestSupport.DATABASE, Map.of())) {
            EscalationTestSupport.awaitMembersWithPartitions(1);
            String poisoned = newContactId();
            String next = newContactId();
            try (TopicWriter writer = new TopicWriter()) {
                ProducerRecord<String, String> bad = new ProducerRecord<>(Topics.SLA_EVENTS, poisoned, "{not json");
                bad.headers().add("ce_id", "bad-1".getBytes()).add("ce_type", "pledge.sla.breached".getBytes())
                        .add("ce_specversion", "1.0".getBytes()).add("ce_source", "/test".getBytes());
                writer.send(bad, "bad-1");
            }
            send(received(next, "standard", "Help", "My solicitor will hear of this.", "billing", null));
            assertThat(escalationEvents(next, has("pledge.escalation.raised", 1), Duration.ofSeconds(30), Duration.ZERO))
                    .isNotEmpty();
            try (TopicReader dlq = new TopicReader(Topics.deadLetter(Topics.SLA_EVENTS, "escalation-service"))) {
                List<TopicReader.Record> dead = dlq.readUntil(rs -> rs.stream().anyMatch(r -> poisoned.equals(r.key())),
                        Duration.ofSeconds(30));
                assertThat(dead).anySatisfy(r -> {
                    assertThat(r.key()).isEqualTo(poisoned);
                    assertThat(r.header("dead-letter-reason")).isNotBlank();
                });
            }
        }
    }
}
