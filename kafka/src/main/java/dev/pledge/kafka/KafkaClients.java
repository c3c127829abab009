package dev.pledge.kafka;

import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The plain Kafka clients a service makes beside its messaging channels (the outbox relay's producer,
 * the dead letters' producer, the policy feed's reader), all from one place: every {@code kafka.*}
 * setting as the channels get it (Quarkus's {@code default-kafka-broker}: security protocol, SASL,
 * TLS), the broker, and a client id {@code <service>-<purpose>}; then what the purpose needs on top.
 * A consumer made here belongs to no group: the readers that need one are messaging channels.
 */
@ApplicationScoped
public class KafkaClients {
    private final Map<String, Object> kafka;
    private final String bootstrapServers;
    private final String service;

    @Inject
    public KafkaClients(@Identifier("default-kafka-broker") Map<String, Object> kafka,
            @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers,
            @ConfigProperty(name = "quarkus.application.name") String service) {
        this.kafka = kafka;
        this.bootstrapServers = bootstrapServers;
        this.service = service;
    }

    /** The service's name, as its clients and CloudEvents source name it. */
    public String service() {
        return service;
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    /**
     * A producer of strings that waits for every in-sync replica and never duplicates on retry
     * ({@code acks=all}, idempotent), with {@code settings} (e.g. timeouts) on top.
     */
    public KafkaProducer<String, String> producer(String purpose, Map<String, String> settings) {
        Properties p = properties(purpose);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.putAll(settings);
        return new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
    }

    /** A consumer of strings in no group, committing nothing: it reads what it assigns itself. */
    public KafkaConsumer<String, String> reader(String purpose, Map<String, String> settings) {
        Properties p = properties(purpose);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.putAll(settings);
        return new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer());
    }

    /** The settings every client here starts from. Package-private for the test. */
    Properties properties(String purpose) {
        Properties p = new Properties();
        p.putAll(kafka);
        p.remove(CommonClientConfigs.GROUP_ID_CONFIG); // a channel setting: the application's name
        p.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(CommonClientConfigs.CLIENT_ID_CONFIG, service + "-" + purpose);
        return p;
    }
}
