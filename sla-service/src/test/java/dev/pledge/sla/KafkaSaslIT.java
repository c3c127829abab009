package dev.pledge.sla;

import static dev.pledge.sla.SlaTestSupport.has;
import static dev.pledge.sla.SlaTestSupport.newContactId;
import static dev.pledge.sla.SlaTestSupport.received;
import static dev.pledge.sla.SlaTestSupport.send;
import static dev.pledge.sla.SlaTestSupport.slaEvents;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pledge.events.Channel;
import dev.pledge.events.Topics;
import dev.pledge.testinfra.ServiceProcess;
import dev.pledge.testinfra.TestKafka;
import dev.pledge.testinfra.TopicWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * On Kubernetes the broker requires SASL (deploy/k8s: SCRAM users with ACLs), set through {@code KAFKA_*}
 * environment variables. Every Kafka client of a service must take them: the consumer channel, the
 * policy feed, the outbox relay and the dead-letter producer. Here sla-service talks only to the test
 * broker's SASL listener; the test writes and reads on the plain one.
 */
class KafkaSaslIT {

    @Test
    void everyKafkaClientOfTheServiceAuthenticatesWithTheKafkaSettings() {
        String sasl = TestKafka.get().saslBootstrapServers();
        Assumptions.assumeTrue(sasl != null, "only the embedded test broker has a SASL listener");
        SlaTestSupport.publishTestPolicy();
        Map<String, String> env = Map.of(
                "KAFKA_BOOTSTRAP_SERVERS", sasl,
                "KAFKA_SECURITY_PROTOCOL", "SASL_PLAINTEXT",
                "KAFKA_SASL_MECHANISM", "PLAIN",
                "KAFKA_SASL_JAAS_CONFIG", "org.apache.kafka.common.security.plain.PlainLoginModule required username=\""
                        + TestKafka.SASL_USER + "\" password=\"" + TestKafka.SASL_PASSWORD + "\";");
        // ready only once the policy feed has read the policy topic to its end: over SASL
        try (ServiceProcess service = ServiceProcess.start(SlaTestSupport.DATABASE, env)) {
            SlaTestSupport.awaitMembersWithPartitions(1); // the consumer channel joined its group
            String poisoned = newContactId();
            try (TopicWriter writer = new TopicWriter()) {
                ProducerRecord<String, String> poison = new ProducerRecord<>(Topics.CONTACT_EVENTS, poisoned, "{not json");
                poison.headers().add("ce_id", ("poison-" + poisoned).getBytes())
                        .add("ce_type", "pledge.contact.received".getBytes());
                writer.send(poison, "poison");
            }
            String id = newContactId();
            send(received(id, Channel.CHAT, Instant.now()));
            assertThat(slaEvents(id, has("pledge.sla.started", "first-response"), Duration.ofSeconds(30), Duration.ZERO))
                    .as("sla.started published by the outbox relay").isNotEmpty();
            assertThat(SlaTestSupport.deadLetters(Duration.ofSeconds(30), poisoned))
                    .as("the unreadable record dead-lettered").anyMatch(r -> poisoned.equals(r.key()));
        }
    }
}
