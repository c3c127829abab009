package dev.pledge.testinfra;

import dev.pledge.events.CloudEventHeaders;
import dev.pledge.events.EventSchemas;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads a topic of the test broker from the beginning, as an operator's tool would. Every record a service produced
 * (its {@code ce_source} names one) is checked against the contract as it is read: its value must match the schema
 * of its {@code ce_type} with no field the schema lacks ({@link EventSchemas#closed()}), or the test fails there. So
 * every IT that reads a topic also proves the real code writes what {@code docs/schemas} says.
 */
public final class TopicReader implements AutoCloseable {
    private static final Set<String> SERVICES = Set.of("/pledge/intake-service", "/pledge/sla-service",
            "/pledge/escalation-service", "/pledge/feedback-service");

    private final KafkaConsumer<String, String> consumer;
    private final List<Record> seen = new ArrayList<>();

    /** One record with its key, headers (as text) and value. */
    public record Record(String key, Map<String, String> headers, String value) {
        public String header(String name) {
            return headers.get(name);
        }
    }

    public TopicReader(String topic) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafka.get().bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "test-reader-" + UUID.randomUUID());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        consumer = new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer());
        consumer.subscribe(List.of(topic));
    }

    /** Polls until {@code until} holds for the records seen so far, or the timeout passes; returns them all. */
    public List<Record> readUntil(Predicate<List<Record>> until, Duration timeout) {
        long end = System.nanoTime() + timeout.toNanos();
        while (!until.test(seen) && System.nanoTime() < end) {
            poll(Duration.ofMillis(200));
        }
        return List.copyOf(seen);
    }

    /** Keeps reading for {@code quiet} and returns everything seen: for asserting that nothing more comes. */
    public List<Record> readFor(Duration quiet) {
        long end = System.nanoTime() + quiet.toNanos();
        while (System.nanoTime() < end) {
            poll(Duration.ofMillis(200));
        }
        return List.copyOf(seen);
    }

    private void poll(Duration timeout) {
        for (ConsumerRecord<String, String> r : consumer.poll(timeout)) {
            Map<String, String> headers = new java.util.LinkedHashMap<>();
            for (Header h : r.headers()) {
                headers.put(h.key(), h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8));
            }
            Record record = new Record(r.key(), headers, r.value());
            checkContract(r.topic(), r.partition(), r.offset(), record);
            seen.add(record);
        }
    }

    private static void checkContract(String topic, int partition, long offset, Record record) {
        String source = record.header(CloudEventHeaders.SOURCE);
        if (topic.contains(".dlq.") || source == null || !SERVICES.contains(source)) { // Set.of refuses null
            return; // a dead letter may be anything; a test's own records are the test's business
        }
        List<String> violations = EventSchemas.closed().violations(record.header(CloudEventHeaders.TYPE), record.value());
        if (!violations.isEmpty()) {
            throw new AssertionError(source + " wrote a " + record.header(CloudEventHeaders.TYPE)
                    + " that does not match docs/schemas (" + topic + " " + partition + "/" + offset + "): " + violations
                    + "\n" + record.value());
        }
    }

    @Override
    public void close() {
        consumer.close();
    }
}
