package dev.pledge.consumer;

import dev.pledge.events.Topics;
import dev.pledge.kafka.KafkaClients;
import dev.pledge.web.Failures;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.header.Header;
import org.jboss.logging.Logger;

/**
 * Sets a record aside on {@code <topic>.dlq.<service>}: the record as it was (key, value, headers)
 * plus {@code dead-letter-reason}, {@code dead-letter-topic}, {@code dead-letter-partition} and
 * {@code dead-letter-offset}. Waits for the broker's acknowledgement, so the record's offset is
 * committed only once it is safe on the dead-letter topic. A plain producer (as the outbox relay's),
 * because one service may consume several topics and each has its own dead-letter topic.
 */
@ApplicationScoped
public class DeadLetters {
    private static final Logger LOG = Logger.getLogger(DeadLetters.class);
    public static final String REASON = "dead-letter-reason";
    private static final Duration RETRY_FIRST = Duration.ofMillis(500);
    private static final Duration RETRY_MAX = Duration.ofSeconds(30);

    private final String service;
    private final MeterRegistry metrics;
    private final KafkaProducer<String, String> producer;

    public DeadLetters(KafkaClients clients, MeterRegistry metrics) {
        this.service = clients.service();
        this.metrics = metrics;
        this.producer = clients.producer("dead-letters", Map.of(ProducerConfig.MAX_BLOCK_MS_CONFIG, "10000"));
    }

    void stop(@Observes ShutdownEvent event) {
        producer.close(Duration.ofSeconds(5));
    }

    /**
     * Sends the record to its dead-letter topic; completes once the broker has it. A send that fails is
     * retried with back-off, indefinitely: the record's offset stays uncommitted meanwhile, so nothing is
     * lost and the channel does not stop (a broker away, a dead-letter topic not created yet). A record too
     * large for the dead-letter topic is sent without its value, the reason saying so.
     */
    public Uni<Void> send(ConsumerRecord<String, String> record, String reason) {
        String topic = Topics.deadLetter(record.topic(), service);
        LOG.warnf("dead-lettering %s-%d@%d (key %s) to %s: %s", record.topic(), record.partition(), record.offset(),
                record.key(), topic, reason);
        boolean[] warned = new boolean[1];
        return Uni.createFrom().deferred(() -> sendOnce(record, topic, reason, record.value()))
                .onFailure(RecordTooLargeException.class).recoverWithUni(e -> sendOnce(record, topic, reason
                        + " (its value of " + (record.value() == null ? 0 : record.value().length())
                        + " characters was dropped: too large for the dead-letter topic)", null))
                .onFailure().invoke(e -> {
                    if (!warned[0]) {
                        warned[0] = true;
                        LOG.warnf("cannot dead-letter %s-%d@%d to %s yet (%s); retrying with back-off, offsets held",
                                record.topic(), record.partition(), record.offset(), topic, Failures.rootMessage(e));
                    }
                })
                .onFailure().retry().withBackOff(RETRY_FIRST, RETRY_MAX).indefinitely()
                .invoke(() -> {
                    if (warned[0]) {
                        LOG.infof("dead-lettered %s-%d@%d to %s after retrying", record.topic(), record.partition(),
                                record.offset(), topic);
                    }
                    metrics.counter("pledge.consumer.dead.letters", "topic", record.topic()).increment();
                });
    }

    private Uni<Void> sendOnce(ConsumerRecord<String, String> record, String topic, String reason, String value) {
        ProducerRecord<String, String> dead = new ProducerRecord<>(topic, record.key(), value);
        for (Header h : record.headers()) {
            dead.headers().add(h);
        }
        dead.headers().add(REASON, bytes(reason));
        dead.headers().add("dead-letter-topic", bytes(record.topic()));
        dead.headers().add("dead-letter-partition", bytes(String.valueOf(record.partition())));
        dead.headers().add("dead-letter-offset", bytes(String.valueOf(record.offset())));
        dead.headers().add("dead-letter-service", bytes(service));
        // send() may block on metadata: never on the event loop.
        return Uni.createFrom().item(() -> {
                    CompletableFuture<RecordMetadata> acked = new CompletableFuture<>();
                    producer.send(dead, (metadata, error) -> {
                        if (error != null) {
                            acked.completeExceptionally(error);
                        } else {
                            acked.complete(metadata);
                        }
                    });
                    return acked;
                })
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                .chain(acked -> Uni.createFrom().completionStage(acked))
                .replaceWithVoid();
    }

    private static byte[] bytes(String s) {
        return String.valueOf(s).getBytes(StandardCharsets.UTF_8);
    }
}
