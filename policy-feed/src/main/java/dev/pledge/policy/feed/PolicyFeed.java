package dev.pledge.policy.feed;

import dev.pledge.events.CloudEventHeaders;
import dev.pledge.events.EventJson;
import dev.pledge.events.EventType;
import dev.pledge.events.PolicyPublished;
import dev.pledge.events.Topics;
import dev.pledge.kafka.KafkaClients;
import dev.pledge.policy.Policy;
import dev.pledge.policy.PolicyError;
import dev.pledge.policy.PolicyLoader;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.jboss.logging.Logger;

/**
 * Every policy version, for every service: read from {@code service-policy} from the beginning,
 * stored in PostgreSQL (so a restart without a broker still knows them), parsed once.
 *
 * <p>Work is done under the version its event names ({@link #await(int)}), never under whichever
 * version was read last. A version not read yet is waited for, a bounded time; after that the work
 * fails with {@link UnknownPolicyVersion} instead of silently using another.
 *
 * <p>The reading thread never dies: a record it cannot read is logged and passed over (it was
 * validated when published; only a foreign producer writes such a thing), a version it cannot store
 * is retried until stored, and any other failure restarts the reader from the beginning (versions
 * already known are skipped). Fields a newer writer added are logged and ignored
 * ({@link PolicyLoader#readTolerant}). Readiness reports all of it ({@link PolicyFeedHealth}).
 */
@ApplicationScoped
public class PolicyFeed {
    private static final Logger LOG = Logger.getLogger(PolicyFeed.class);
    private static final Duration BACKOFF = Duration.ofSeconds(1);

    private final Pool pool;
    private final PolicyFeedConfig config;
    private final Event<PolicyReceived> received;

    private final PolicyVersions versions;
    private final CompletableFuture<Void> caughtUp = new CompletableFuture<>();
    private volatile boolean running;
    private volatile String lastError;
    private volatile KafkaConsumer<String, String> current;
    private final KafkaClients clients;
    private volatile Instant failingSince;
    private Thread thread;

    public PolicyFeed(Pool pool, PolicyFeedConfig config, Event<PolicyReceived> received, KafkaClients clients) {
        this.pool = pool;
        this.clients = clients;
        this.config = config;
        this.received = received;
        this.versions = new PolicyVersions(config::awaitTimeout);
    }

    void start(@Observes @Priority(5) StartupEvent event) {
        for (Row row : pool.query("SELECT event FROM policy_feed").execute().await().atMost(Duration.ofSeconds(30))) {
            PolicyPublished published = EventJson.fromJson(row.getString("event"), PolicyPublished.class);
            versions.put(published.version(), read(published));
        }
        LOG.infof("policy feed: %d version(s) stored, newest %d; reading %s", versions.size(), versions.newest(),
                Topics.SERVICE_POLICY);
        running = true;
        thread = new Thread(this::follow, "policy-feed");
        thread.setDaemon(true);
        thread.start();
    }

    void stop(@Observes ShutdownEvent event) throws InterruptedException {
        running = false;
        KafkaConsumer<String, String> consumer = current;
        if (consumer != null) {
            consumer.wakeup(); // the one thread-safe call: ends a poll at once
        }
        if (thread != null) {
            thread.join(5000);
        }
    }

    /** The newest version known here; 0 before any. */
    public int newest() {
        return versions.newest();
    }

    /** The newest policy known here, or null before any. */
    public Policy newestPolicy() {
        return versions.newestPolicy();
    }

    /** A version known here; {@link UnknownPolicyVersion} if it is not (yet). */
    public Policy version(int version) {
        return versions.version(version);
    }

    /**
     * The version, at once if known, else once the feed reads it, on the caller's Vert.x context. Fails
     * with {@link UnknownPolicyVersion} after {@code pledge.policy-feed.await-timeout}, counted from the
     * first time anyone asked for it, so a batch of events naming one missing version waits once. A
     * version below 1 (an event without one reads as 0) can never come and fails at once.
     */
    public Uni<Policy> await(int version) {
        return versions.await(version);
    }

    /** Whether the topic has been read to its end at least once since start. */
    public boolean caughtUp() {
        return caughtUp.isDone();
    }

    boolean gatesReadiness() {
        return config.gatesReadiness();
    }

    /** Null while reading works; otherwise what went wrong and since when. */
    String problem() {
        Instant since = failingSince;
        if (!running || thread == null || !thread.isAlive()) {
            return "the policy reader is not running";
        }
        return since == null ? null : lastError + " (since " + since + ")";
    }

    int known() {
        return versions.size();
    }

    /** Reads every version from the beginning, then follows new ones, until shutdown; restarts on any failure. */
    private void follow() {
        while (running) {
            KafkaConsumer<String, String> consumer = consumer();
            current = consumer;
            try {
                List<TopicPartition> partitions = partitions(consumer);
                consumer.assign(partitions);
                consumer.seekToBeginning(partitions);
                Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(10));
                while (running) {
                    for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
                        apply(record);
                    }
                    if (!caughtUp.isDone() && end.entrySet().stream()
                            .allMatch(e -> consumer.position(e.getKey()) >= e.getValue())) {
                        LOG.infof("policy topic read to its end: %d version(s), newest %d", versions.size(), versions.newest());
                        caughtUp.complete(null);
                    }
                    failingSince = null;
                }
            } catch (WakeupException | InterruptException e) {
                return; // shutting down
            } catch (RuntimeException e) {
                if (!running) {
                    return;
                }
                failed("reading " + Topics.SERVICE_POLICY, e);
                pause();
            } finally {
                current = null;
                consumer.close(Duration.ofSeconds(2));
            }
        }
    }

    private KafkaConsumer<String, String> consumer() {
        return clients.reader("policy-feed", Map.of()); // no group: every instance reads every version
    }

    /** All partitions, though the topic should have one: a topic auto-created with more still works. */
    private static List<TopicPartition> partitions(KafkaConsumer<String, String> consumer) {
        var infos = consumer.partitionsFor(Topics.SERVICE_POLICY, Duration.ofSeconds(10));
        if (infos == null || infos.isEmpty()) {
            throw new IllegalStateException(Topics.SERVICE_POLICY + " has no partitions yet");
        }
        return infos.stream().map(i -> new TopicPartition(i.topic(), i.partition())).toList();
    }

    private void apply(ConsumerRecord<String, String> record) {
        PolicyPublished published;
        Policy policy;
        try {
            Header type = record.headers().lastHeader(CloudEventHeaders.TYPE);
            if (type != null && !EventType.POLICY_PUBLISHED.ceType().equals(new String(type.value(), StandardCharsets.UTF_8))) {
                throw new IllegalArgumentException("ce_type is not " + EventType.POLICY_PUBLISHED.ceType());
            }
            published = EventJson.fromJson(record.value(), PolicyPublished.class);
            if (versions.contains(published.version())) {
                return;
            }
            policy = read(published);
        } catch (RuntimeException e) {
            LOG.errorf("policy feed: passing over the unreadable record at %s-%d@%d: %s", record.topic(),
                    record.partition(), record.offset(), e.getMessage());
            return;
        }
        store(published);
        versions.put(published.version(), policy);
        LOG.infof("policy version %d received (published by %s)", published.version(), published.publishedBy());
        received.fire(new PolicyReceived(published, policy));
    }

    private Policy read(PolicyPublished published) {
        List<PolicyError> ignored = new ArrayList<>();
        Policy policy = PolicyLoader.readTolerant(published.document(), ignored);
        if (!ignored.isEmpty()) {
            LOG.warnf("policy version %d has fields this version of Pledge does not know; ignored: %s",
                    published.version(), ignored);
        }
        return policy;
    }

    /** Stores the version, retrying until it is stored: a version is never passed over for a database outage. */
    private void store(PolicyPublished published) {
        while (running) {
            try {
                pool.preparedQuery("INSERT INTO policy_feed (version, event, received_at) VALUES ($1, $2, now())"
                        + " ON CONFLICT (version) DO NOTHING")
                        .execute(Tuple.of(published.version(), EventJson.toJson(published)))
                        .await().atMost(Duration.ofSeconds(10));
                return;
            } catch (RuntimeException e) {
                failed("storing policy version " + published.version(), e);
                pause();
            }
        }
    }

    private void failed(String what, RuntimeException e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = what + ": " + root.getClass().getSimpleName() + ": " + root.getMessage();
        if (failingSince == null) {
            failingSince = Instant.now();
            LOG.warnf("policy feed: %s; retrying every %s", message, BACKOFF);
        } else {
            LOG.debugf("policy feed: %s", message);
        }
        lastError = message;
    }

    private void pause() {
        try {
            TimeUnit.MILLISECONDS.sleep(BACKOFF.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }
}
