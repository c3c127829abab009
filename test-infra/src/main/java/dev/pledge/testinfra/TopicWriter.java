package dev.pledge.testinfra;

import dev.pledge.events.CloudEventHeaders;
import dev.pledge.events.EventJson;
import dev.pledge.events.EventType;
import dev.pledge.events.Ids;
import dev.pledge.events.PledgeEvent;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/** Writes events to the test broker exactly as a producing service does: CloudEvents binary mode. */
public final class TopicWriter implements AutoCloseable {
    private final KafkaProducer<String, String> producer;

    public TopicWriter() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafka.get().bootstrapServers());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
    }

    /** Sends with a fresh {@code ce_id}; returns it. */
    public String send(PledgeEvent event) {
        return send(event, Ids.next().toString());
    }

    /** Sends with the given {@code ce_id} (send the same id twice to test deduplication). */
    public String send(PledgeEvent event, String eventId) {
        return send(event.type(), event.key(), EventJson.toJson(event), eventId);
    }

    /** Sends a payload with the CloudEvent headers of a type, e.g. one a producer got wrong; returns its {@code ce_id}. */
    public String send(EventType type, String key, String payload) {
        return send(type, key, payload, Ids.next().toString());
    }

    private String send(EventType type, String key, String payload, String eventId) {
        ProducerRecord<String, String> record = new ProducerRecord<>(type.topic(), key, payload);
        CloudEventHeaders.of(eventId, type, "/pledge/test", Instant.now(), key)
                .forEach((k, v) -> record.headers().add(k, v.getBytes(StandardCharsets.UTF_8)));
        return send(record, eventId);
    }

    /** Sends a raw record, e.g. one no service can read. */
    public String send(ProducerRecord<String, String> record, String id) {
        try {
            producer.send(record).get();
            return id;
        } catch (InterruptedException | ExecutionException e) {
            throw new IllegalStateException("cannot write to " + record.topic(), e);
        }
    }

    @Override
    public void close() {
        producer.close();
    }
}
