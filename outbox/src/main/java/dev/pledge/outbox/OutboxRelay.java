package dev.pledge.outbox;

import dev.pledge.events.CloudEventHeaders;
import dev.pledge.events.EventType;
import dev.pledge.kafka.KafkaClients;
import dev.pledge.persistence.RetainedTable;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Produces;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.RetriableException;
import org.jboss.logging.Logger;

/**
 * Publishes outbox rows to Kafka in {@code seq} order: right after a commit ({@link #wake()}), and
 * by a sweep every {@code pledge.outbox.sweep-interval} that retries whatever a broker outage left.
 * A row is deleted only once the broker has acknowledged it ({@code acks=all}, idempotent producer),
 * so an accepted contact is never lost; a crash between acknowledgement and delete republishes it
 * with the same {@code ce_id}, which consumers deduplicate.
 *
 * <p>One relay at a time across all intake instances holds a transaction-scoped advisory lock, so
 * events of one contact are never published out of order by two instances.
 */
@ApplicationScoped
public class OutboxRelay {
    private static final Logger LOG = Logger.getLogger(OutboxRelay.class);
    private static final long ADVISORY_LOCK = 0x706c65646765L; // "pledge"
    private static final String SELECT = "SELECT seq, event_id, topic, event_key, ce_type, ce_time, payload"
            + " FROM outbox ORDER BY seq LIMIT $1";

    private final Pool pool;
    private final String bootstrapServers;
    private final int batchSize;
    private final Duration sweepInterval;
    private final String source;
    private final Counter published;
    /** Also per event type ({@code pledge_events_published_total{type=...}}): breaches, escalations, ... per second. */
    private final MeterRegistry metrics;
    private final Counter parkedCount;
    private final DistributionSummary batchEvents;
    private final Timer batchTime;
    private final AtomicLong pending = new AtomicLong();
    /** Age of the oldest unpublished row and rows parked, as of the last sweep; for metrics and readiness. */
    private volatile double oldestUnpublishedSeconds;
    private volatile long parked;
    private volatile long lastStatusAt;
    private final Semaphore signal = new Semaphore(0);
    private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> new Thread(r, "outbox-relay"));

    private volatile boolean running;
    private volatile boolean failing;
    private KafkaProducer<String, String> producer;
    private final KafkaClients clients;

    public OutboxRelay(Pool pool, MeterRegistry metrics, OutboxConfig config, KafkaClients clients) {
        this.pool = pool;
        this.metrics = metrics;
        this.clients = clients;
        this.bootstrapServers = clients.bootstrapServers();
        String service = clients.service();
        this.batchSize = config.batchSize();
        this.sweepInterval = config.sweepInterval();
        this.source = "/pledge/" + service; // ce_source: a URI reference, as CloudEvents readers parse it
        this.published = Counter.builder("pledge.outbox.published").description("events published from the outbox")
                .register(metrics);
        metrics.gauge("pledge.outbox.last.batch.unpublished", pending);
        this.parkedCount = Counter.builder("pledge.outbox.refused")
                .description("rows the broker refused for good, set aside in outbox_parked").register(metrics);
        metrics.gauge("pledge.outbox.oldest.unpublished.seconds", this, r -> r.oldestUnpublishedSeconds);
        metrics.gauge("pledge.outbox.parked", this, r -> r.parked);
        this.batchEvents = DistributionSummary.builder("pledge.outbox.batch.events")
                .description("rows published in one relay transaction").publishPercentiles(0.5, 0.99).register(metrics);
        this.batchTime = Timer.builder("pledge.outbox.batch.duration")
                .description("one relay transaction: select, send, broker acknowledgement, delete, commit")
                .publishPercentiles(0.5, 0.99).register(metrics);
    }

    /** Parked rows are kept for {@code pledge.outbox.parked-retention}, then pruned by the shared retention job. */
    @Produces
    static RetainedTable parkedRows(OutboxConfig config) {
        return new RetainedTable("outbox_parked", "parked_at", config.parkedRetention());
    }

    void start(@Observes StartupEvent event) {
        // Fail a batch fast while the broker is away; the sweep retries it, the row stays until acked.
        producer = clients.producer("outbox", Map.of(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "5",
                ProducerConfig.LINGER_MS_CONFIG, "2", ProducerConfig.MAX_BLOCK_MS_CONFIG, "5000",
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000", ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "15000"));
        running = true;
        thread.submit(this::loop);
        LOG.infof("outbox relay started: batches of %d, sweep every %s, broker %s", batchSize, sweepInterval,
                bootstrapServers);
    }

    void stop(@Observes ShutdownEvent event) throws InterruptedException {
        running = false;
        signal.release();
        thread.shutdown();
        thread.awaitTermination(20, TimeUnit.SECONDS);
        if (producer != null) {
            producer.close(Duration.ofSeconds(5));
        }
    }

    /** Publish now: called after a transaction that wrote outbox rows has committed. */
    public void wake() {
        signal.release();
    }

    private void loop() {
        while (running) {
            try {
                int n;
                do {
                    n = drainOnce();
                } while (n == batchSize && running);
                if (failing) {
                    failing = false;
                    LOG.info("outbox relay: broker reachable again, backlog published");
                }
                readStatus();
            } catch (Exception e) {
                readStatus();
                if (!failing) {
                    failing = true;
                    LOG.warnf("outbox relay: cannot publish (%s); events stay in the outbox and are retried every %s",
                            rootMessage(e), sweepInterval);
                }
            }
            try {
                signal.tryAcquire(sweepInterval.toMillis(), TimeUnit.MILLISECONDS);
                signal.drainPermits();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Publishes one batch in one transaction; returns how many rows were published or parked. */
    int drainOnce() {
        long began = System.nanoTime();
        // The delete's commit need not wait for the disk: if a crash loses it, the rows are published
        // again with the same ce_id, which consumers deduplicate (as after a crash between the broker's
        // acknowledgement and the delete). The next batch does not wait for the previous one's fsync.
        int n = pool.withTransaction(conn -> conn.preparedQuery("SELECT pg_try_advisory_xact_lock($1),"
                        + " set_config('synchronous_commit', 'off', true)")
                .execute(Tuple.of(ADVISORY_LOCK))
                .flatMap(lock -> lock.iterator().next().getBoolean(0)
                        ? conn.preparedQuery(SELECT).execute(Tuple.of(batchSize))
                        : Uni.createFrom().nullItem())
                .emitOn(Infrastructure.getDefaultWorkerPool()) // sending may block; never on the event loop
                .map(this::publish)
                .flatMap(outcome -> park(conn, outcome.parked()).chain(() -> delete(conn, outcome.acked()))
                        .map(deleted -> deleted + outcome.parked().size())))
                .await().atMost(Duration.ofMinutes(1));
        if (n > 0) {
            batchEvents.record(n);
            batchTime.record(System.nanoTime() - began, TimeUnit.NANOSECONDS);
        }
        return n;
    }

    private Uni<Integer> delete(SqlConnection conn, List<Long> seqs) {
        if (seqs.isEmpty()) {
            return Uni.createFrom().item(0);
        }
        return conn.preparedQuery("DELETE FROM outbox WHERE seq = ANY($1)")
                .execute(Tuple.of(seqs.toArray(new Long[0])))
                .map(r -> seqs.size());
    }

    /** Moves rows the broker refused for good to outbox_parked, with the reason. */
    private Uni<Void> park(SqlConnection conn, Map<Long, String> rows) {
        Uni<Void> chain = Uni.createFrom().voidItem();
        for (Map.Entry<Long, String> row : rows.entrySet()) {
            chain = chain.chain(() -> conn.preparedQuery("WITH moved AS (DELETE FROM outbox WHERE seq = $1 RETURNING *)"
                            + " INSERT INTO outbox_parked (seq, event_id, topic, event_key, ce_type, ce_time, payload,"
                            + " reason, parked_at) SELECT seq, event_id, topic, event_key, ce_type, ce_time, payload, $2,"
                            + " now() FROM moved ON CONFLICT (seq) DO NOTHING")
                    .execute(Tuple.of(row.getKey(), row.getValue())).replaceWithVoid());
        }
        return chain;
    }

    /** What a batch came to: rows acknowledged (to delete) and rows refused for good (to park, with why). */
    private record Outcome(List<Long> acked, Map<Long, String> parked) {
    }

    /**
     * Sends the rows and waits for the broker. Rows the broker acknowledged are done; a row it refuses
     * for good (a non-retriable error: too large, not authorized, invalid topic) is parked so that it
     * cannot block the rows behind it; at the first retriable failure (broker away) the rest wait for
     * the next try, in order. Throws when nothing moved at all, so the caller logs the outage once.
     */
    private Outcome publish(RowSet<Row> rows) {
        List<Long> acked = new ArrayList<>();
        Map<Long, String> refused = new LinkedHashMap<>();
        if (rows == null || rows.size() == 0) {
            pending.set(0);
            return new Outcome(acked, refused);
        }
        List<Row> sent = new ArrayList<>();
        List<CompletableFuture<RecordMetadata>> sends = new ArrayList<>();
        RuntimeException failure = null;
        for (Row row : rows) {
            try {
                sends.add(send(row));
                sent.add(row);
            } catch (RuntimeException e) {
                if (!isRetriable(e)) {
                    refused.put(row.getLong("seq"), rootMessage(e));
                    continue;
                }
                failure = e;
                break;
            }
        }
        for (int i = 0; i < sends.size(); i++) {
            Row row = sent.get(i);
            try {
                sends.get(i).get(30, TimeUnit.SECONDS);
                acked.add(row.getLong("seq"));
                metrics.counter("pledge.events.published", "type", row.getString("ce_type")).increment();
            } catch (ExecutionException e) {
                if (!isRetriable(e.getCause())) {
                    refused.put(row.getLong("seq"), rootMessage(e));
                    continue;
                }
                failure = new IllegalStateException(rootMessage(e), e);
                break;
            } catch (Exception e) {
                failure = new IllegalStateException(rootMessage(e), e);
                break;
            }
        }
        refused.forEach((seq, reason) -> LOG.errorf("outbox relay: the broker refused row %d for good (%s); parked in"
                + " outbox_parked, the rows behind it go on", seq, reason));
        published.increment(acked.size());
        parkedCount.increment(refused.size());
        pending.set(rows.size() - acked.size() - refused.size());
        if (acked.isEmpty() && refused.isEmpty() && failure != null) {
            throw failure;
        }
        return new Outcome(acked, refused);
    }

    /** Kafka marks what may succeed later (broker away, leader moving, timeouts); anything else will fail again. */
    static boolean isRetriable(Throwable e) {
        return e instanceof RetriableException || !(e instanceof ApiException);
    }

    /** Reads, at most once per sweep interval, the age of the next row to publish and the parked count. */
    private void readStatus() {
        long now = System.nanoTime();
        if (now - lastStatusAt < sweepInterval.toNanos()) {
            return;
        }
        lastStatusAt = now;
        try {
            // The row the relay publishes next, found by the primary key. Not min(ce_time), which reads the
            // whole table: a busy outbox holds hundreds of thousands of dead rows between two vacuums, and
            // that scan, once a second, took a fifth of a PostgreSQL backend in the intake bench.
            Row row = pool.query("SELECT (SELECT extract(epoch FROM now() - ce_time) FROM outbox ORDER BY seq LIMIT 1) AS age,"
                    + " (SELECT count(*) FROM outbox_parked) AS parked").execute().await().atMost(Duration.ofSeconds(10))
                    .iterator().next();
            Double age = row.getDouble("age");
            oldestUnpublishedSeconds = age == null ? 0 : Math.max(0, age);
            parked = row.getLong("parked");
        } catch (RuntimeException e) {
            LOG.debugf("outbox relay: cannot read its status: %s", e.getMessage());
        }
    }

    /**
     * Seconds since the event time of the next row to publish (the lowest {@code seq}), as of the last
     * sweep; 0 when none waits.
     */
    public double oldestUnpublishedSeconds() {
        return oldestUnpublishedSeconds;
    }

    /** Rows in outbox_parked, as of the last sweep. */
    public long parked() {
        return parked;
    }

    private CompletableFuture<RecordMetadata> send(Row row) {
        ProducerRecord<String, String> record = record(row.getString("topic"), row.getString("event_key"),
                row.getString("payload"), row.getUUID("event_id"), row.getString("ce_type"),
                row.getOffsetDateTime("ce_time").toInstant(), source);
        CompletableFuture<RecordMetadata> future = new CompletableFuture<>();
        producer.send(record, (metadata, error) -> {
            if (error != null) {
                future.completeExceptionally(error);
            } else {
                future.complete(metadata);
            }
        });
        return future;
    }

    /** An outbox row as the record published: the payload as its value, the CloudEvents attributes as headers. */
    static ProducerRecord<String, String> record(String topic, String key, String payload, UUID eventId, String ceType,
            Instant time, String source) {
        ProducerRecord<String, String> record = new ProducerRecord<>(topic, key, payload);
        CloudEventHeaders.of(eventId.toString(), EventType.of(ceType), source, time, key)
                .forEach((name, value) -> record.headers().add(name, value.getBytes(StandardCharsets.UTF_8)));
        return record;
    }

    private static String rootMessage(Throwable e) {
        while (e.getCause() != null && e.getCause() != e) {
            e = e.getCause();
        }
        return e.getClass().getSimpleName() + ": " + e.getMessage();
    }
}
