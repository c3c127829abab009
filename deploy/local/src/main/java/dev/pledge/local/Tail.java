package dev.pledge.local;

import dev.pledge.events.CloudEventHeaders;
import dev.pledge.events.EventSchemas;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.StringJoiner;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * {@code ./pledge tail <topic> [--validate]}: every record from the beginning, one line each, until stopped. With
 * {@code --validate}, each value is checked against the published schema its {@code ce_type} names
 * ({@code docs/schemas}), and a record that does not match is followed by what is wrong with it.
 */
final class Tail {
    static void run(String bootstrap, String topic, boolean validate, PrintStream out) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "pledge-tail-" + UUID.randomUUID());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer());
        Thread main = Thread.currentThread();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            consumer.wakeup();
            try {
                main.join(3000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }));
        long read = 0;
        long invalid = 0;
        try (consumer) {
            consumer.subscribe(List.of(topic));
            while (true) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                    out.println(line(r));
                    read++;
                    List<String> violations = validate ? violations(r) : List.of();
                    if (!violations.isEmpty()) {
                        invalid++;
                        violations.forEach(v -> out.println("  invalid: " + v));
                    }
                }
                out.flush();
            }
        } catch (WakeupException e) {
            // stopped with Ctrl-C
        }
        if (validate) {
            System.err.println(read + " records read, " + invalid + " not matching their schema");
        }
    }

    /** What is wrong with a record's value, by the published schema of its {@code ce_type}; empty when it matches. */
    static List<String> violations(ConsumerRecord<String, String> r) {
        Header type = r.headers().lastHeader(CloudEventHeaders.TYPE);
        if (type == null || type.value() == null) {
            return List.of("no " + CloudEventHeaders.TYPE + " header");
        }
        return EventSchemas.published().violations(new String(type.value(), StandardCharsets.UTF_8), r.value());
    }

    /** {@code partition/offset key=... ce_type=... ce_id=... | payload} */
    static String line(ConsumerRecord<String, String> r) {
        StringJoiner headers = new StringJoiner(" ");
        for (Header h : r.headers()) {
            headers.add(h.key() + "=" + (h.value() == null ? "" : new String(h.value(), StandardCharsets.UTF_8)));
        }
        return r.partition() + "/" + r.offset() + " key=" + r.key() + " " + headers + " | " + r.value();
    }

    private Tail() {
    }
}
