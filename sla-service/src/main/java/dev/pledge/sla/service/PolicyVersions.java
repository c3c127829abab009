package dev.pledge.sla.service;

import dev.pledge.events.EventJson;
import dev.pledge.events.PolicyPublished;
import dev.pledge.events.Topics;
import dev.pledge.policy.Policy;
import dev.pledge.policy.PolicyLoader;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Every policy version this service has seen, parsed once. New timers use the newest; a running
 * timer keeps the version it started under, so its calendar and thresholds never change under it.
 * Versions are kept in PostgreSQL because the compacted topic keeps only the newest.
 *
 * <p>A thread reads {@code service-policy} from the beginning; contact events wait for
 * {@link #caughtUp()} (the topic read to its end once, or given up after a timeout) so that no
 * contact gets the targets of an outdated policy after a restart.
 */
@ApplicationScoped
public class PolicyVersions {
    private static final Logger LOG = Logger.getLogger(PolicyVersions.class);
    /** intake-service publishes the shipped default as version 1; until it is read, it is assumed. */
    static final int DEFAULT_VERSION = 1;

    private final Pool pool;
    private final Map<Integer, Policy> versions = new ConcurrentHashMap<>();
    private final Set<Integer> stored = ConcurrentHashMap.newKeySet();
    private volatile int current;

    public PolicyVersions(Pool pool, @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers,
            @ConfigProperty(name = "pledge.sla.policy-catch-up-timeout", defaultValue = "PT30S") Duration catchUpTimeout) {
        this.pool = pool;
        this.bootstrapServers = bootstrapServers;
        this.catchUpTimeout = catchUpTimeout;
    }

    private final CompletableFuture<Void> caughtUp = new CompletableFuture<>();
    private final String bootstrapServers;
    private final Duration catchUpTimeout;
    private volatile boolean running = true;
    private Thread feed;

    void load(@Observes @Priority(10) StartupEvent event) {
        for (Row row : pool.query("SELECT version, document FROM policy_version").execute().await()
                .atMost(Duration.ofSeconds(30))) {
            put(row.getInteger("version"), PolicyLoader.read(PolicyLoader.parse(row.getString("document"))));
            stored.add(row.getInteger("version"));
        }
        if (versions.isEmpty()) {
            versions.put(DEFAULT_VERSION, PolicyLoader.defaultPolicy());
            current = DEFAULT_VERSION;
        }
        LOG.infof("policy version %d in force (%d version(s) known); reading %s", current, versions.size(), Topics.SERVICE_POLICY);
        feed = new Thread(this::follow, "policy-feed");
        feed.setDaemon(true);
        feed.start();
    }

    void stop(@Observes ShutdownEvent event) throws InterruptedException {
        running = false;
        if (feed != null) {
            feed.join(5000);
        }
    }

    /** Completes once the policy topic has been read to its end (or the catch-up timed out). */
    public Uni<Void> caughtUp() {
        return Uni.createFrom().completionStage(caughtUp);
    }

    /** Reads every version from the beginning, then follows new ones until shutdown. */
    private void follow() {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "sla-policy-feed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        long giveUpAt = System.nanoTime() + catchUpTimeout.toNanos();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p, new StringDeserializer(),
                new StringDeserializer())) {
            List<TopicPartition> partitions = null;
            Map<TopicPartition, Long> end = null;
            while (running) {
                try {
                    if (partitions == null) {
                        // All partitions, though the topic should have one: a topic auto-created with more still works.
                        var infos = consumer.partitionsFor(Topics.SERVICE_POLICY, Duration.ofSeconds(5));
                        if (infos == null || infos.isEmpty()) {
                            throw new org.apache.kafka.common.errors.TimeoutException("no partitions yet");
                        }
                        partitions = infos.stream().map(i -> new TopicPartition(i.topic(), i.partition())).toList();
                        consumer.assign(partitions);
                        consumer.seekToBeginning(partitions);
                        end = consumer.endOffsets(partitions, Duration.ofSeconds(5));
                    }
                    for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                        apply(r);
                    }
                    if (!caughtUp.isDone() && readTo(consumer, end)) {
                        LOG.infof("policy topic read to its end: version %d in force", current);
                        caughtUp.complete(null);
                    }
                } catch (org.apache.kafka.common.errors.TimeoutException e) {
                    LOG.debugf("policy feed: topic not readable yet (%s)", e.getMessage());
                    pause();
                }
                if (!caughtUp.isDone() && System.nanoTime() > giveUpAt) {
                    LOG.warnf("policy topic not read within %s; going on with version %d", catchUpTimeout, current);
                    caughtUp.complete(null);
                }
            }
        } catch (RuntimeException e) {
            LOG.error("policy feed stopped", e);
            caughtUp.complete(null);
        }
    }

    private static void pause() {
        try {
            Thread.sleep(500);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static boolean readTo(KafkaConsumer<String, String> consumer, Map<TopicPartition, Long> end) {
        return end.entrySet().stream().allMatch(e -> consumer.position(e.getKey()) >= e.getValue());
    }

    private void apply(ConsumerRecord<String, String> record) {
        try {
            PolicyPublished published = EventJson.fromJson(record.value(), PolicyPublished.class);
            if (!versions.containsKey(published.version())
                    || (published.version() == DEFAULT_VERSION && !stored.contains(DEFAULT_VERSION))) {
                apply(published).await().atMost(Duration.ofSeconds(30));
            }
        } catch (RuntimeException e) {
            LOG.errorf(e, "cannot apply the policy at offset %d; the version in force stays", record.offset());
        }
    }

    public int currentVersion() {
        return current;
    }

    public Policy current() {
        return versions.get(current);
    }

    /** The policy a timer started under; the newest if that version was never seen here. */
    public Policy get(int version) {
        Policy policy = versions.get(version);
        return policy != null ? policy : current();
    }

    /** Stores a published version (once) and makes it current if it is the newest. */
    public Uni<Void> apply(PolicyPublished published) {
        Policy policy = PolicyLoader.read(published.document());
        String document = PolicyLoader.toJson(published.document());
        return pool.preparedQuery("INSERT INTO policy_version (version, document, received_at) VALUES ($1, $2, $3)"
                + " ON CONFLICT (version) DO NOTHING")
                .execute(Tuple.of(published.version(), document, OffsetDateTime.now(ZoneOffset.UTC)))
                .invoke(() -> {
                    put(published.version(), policy);
                    stored.add(published.version());
                    LOG.infof("policy version %d received; version %d in force", published.version(), current);
                })
                .replaceWithVoid();
    }

    private synchronized void put(int version, Policy policy) {
        versions.put(version, policy);
        if (version > current) {
            current = version;
        }
    }
}
