package dev.pledge.consumer;

import dev.pledge.events.CloudEventHeaders;
import dev.pledge.events.EventJson;
import dev.pledge.events.EventType;
import dev.pledge.events.PledgeEvent;
import dev.pledge.outbox.UnitOfWork;
import dev.pledge.persistence.BulkInsert;
import dev.pledge.web.Failures;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

/**
 * The consumer every consuming service shares. A service's {@code @Incoming} method, on a channel with
 * {@code batch=true} and {@code enable.auto.commit=false}, returns {@link #subscriber} of its
 * {@link EventHandler}; each transaction takes the polls that arrived while the one before it ran
 * ({@link ChannelSubscriber}):
 * <ol>
 * <li>each record is read as a CloudEvent ({@code ce_id}, {@code ce_type}, JSON payload) when its poll
 * arrives, while the transaction before it runs; one that
 * cannot be read, or whose {@code ce_type} belongs on another topic, goes to the dead-letter topic; a type
 * this version does not know is passed over (contract changes are additive), and so is an event the
 * handler does not want ({@link EventHandler#wants}: it would change nothing here);</li>
 * <li>the records are applied in one transaction: the {@code ce_id}s are recorded with one statement, and
 * only events not applied before reach the handler, so a redelivery changes nothing;</li>
 * <li>while the database or broker is unavailable the transaction is retried with back-off, never
 * dead-lettered; any other failure is a record's own fault: the records are replayed one event per
 * transaction and only the events that still fail go to the dead-letter topic, with the reason;</li>
 * <li>the polls are acknowledged after the commit (or the dead letter's acknowledgement), and only
 * then does SmallRye commit their offsets.</li>
 * </ol>
 */
@ApplicationScoped
public class EventConsumer {
    private static final Logger LOG = Logger.getLogger(EventConsumer.class);
    private static final Duration FIRST_RETRY = Duration.ofMillis(200);

    private final DeadLetters deadLetters;
    private final UnitOfWork unitOfWork;
    private final MeterRegistry metrics;
    private final ConsumerConfig config;
    private volatile boolean unavailable;
    private final DistributionSummary batchEvents;
    private final Timer batchTime;
    private final Timer eventAge;

    /**
     * Buckets of the event age (Prometheus {@code _bucket{le=...}}): the share of transactions whose oldest
     * record was older than 2 s over any window, for an alert or a benchmark, where the percentiles above
     * only say the last two minutes' (bench/run stack holds a step to p99 at most 2 s).
     */
    static final Duration[] AGE_OBJECTIVES = {Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(2),
        Duration.ofSeconds(5), Duration.ofSeconds(30)};

    public EventConsumer(DeadLetters deadLetters, UnitOfWork unitOfWork, MeterRegistry metrics, ConsumerConfig config) {
        this.deadLetters = deadLetters;
        this.unitOfWork = unitOfWork;
        this.metrics = metrics;
        this.config = config;
        this.batchEvents = DistributionSummary.builder("pledge.consumer.batch.events")
                .description("events applied in one transaction").publishPercentiles(0.5, 0.99).register(metrics);
        this.batchTime = Timer.builder("pledge.consumer.batch.duration")
                .description("one transaction of the consumer, first statement to commit").publishPercentiles(0.5, 0.99)
                .register(metrics);
        this.eventAge = Timer.builder("pledge.consumer.event.age")
                .description("age of a transaction's oldest record at its commit").publishPercentiles(0.5, 0.99)
                .serviceLevelObjectives(AGE_OBJECTIVES).register(metrics);
    }

    /**
     * The subscriber of a service's batch channel, applying what it receives through the handler:
     * {@code @Incoming("events") @Acknowledgment(MANUAL) Flow.Subscriber<Message<?>> events()} returns it.
     */
    public <R> Flow.Subscriber<Message<?>> subscriber(EventHandler<R> handler) {
        return new ChannelSubscriber<>(record -> read(record, handler),
                (reads, context) -> consume(reads, handler, context), config.maxTransactionEvents());
    }

    /** A record as read when its poll arrived: its event, or why it cannot be read. */
    private record Read(EventRecord event, ConsumerRecord<String, String> record, String unreadable) {
    }

    /**
     * Reads a record; null when it is passed over: its type is newer than this service, or the handler does
     * not want it ({@link EventHandler#wants}). Never throws.
     */
    private Read read(ConsumerRecord<String, String> record, EventHandler<?> handler) {
        String type = header(record, CloudEventHeaders.TYPE);
        try {
            EventType.of(type);
        } catch (IllegalArgumentException e) {
            if (type != null && type.startsWith("pledge.")) {
                LOG.debugf("passing over %s-%d@%d: type %s is newer than this service", record.topic(),
                        record.partition(), record.offset(), type);
                count(record.topic(), "skipped", 1);
                return null;
            }
        }
        try {
            EventRecord event = read(record, type);
            if (!handler.wants(event.event())) {
                count(record.topic(), "passed-over", 1);
                return null;
            }
            return new Read(event, record, null);
        } catch (RuntimeException e) {
            return new Read(null, record, "cannot read " + type + ": " + e.getMessage());
        }
    }

    /** Applies records through the handler; completes when every record is applied or set aside. */
    private <R> Uni<Void> consume(List<Read> reads, EventHandler<R> handler, Context context) {
        List<EventRecord> events = new ArrayList<>();
        Uni<Void> dead = Uni.createFrom().voidItem();
        for (Read r : reads) {
            if (r.event() != null) {
                events.add(r.event());
            } else {
                dead = dead.chain(() -> onContext(deadLetters.send(r.record(), r.unreadable()), context));
            }
        }
        return events.isEmpty() ? dead : dead.chain(() -> applyBatch(events, handler, context));
    }

    private <R> Uni<Void> applyBatch(List<EventRecord> events, EventHandler<R> handler, Context context) {
        return retryWhileUnavailable(inTransaction(events, handler, context), "applying " + events.size() + " event(s)")
                .onFailure().recoverWithUni(failure -> {
                    if (events.size() > 1) {
                        LOG.warnf("a batch of %d event(s) failed (%s); applying them one at a time to set the failing one aside",
                                events.size(), Failures.rootMessage(failure));
                    }
                    return isolate(events, handler, context);
                });
    }

    /** One event per transaction; those that still fail, for a reason of their own, go to the dead-letter topic. */
    private <R> Uni<Void> isolate(List<EventRecord> events, EventHandler<R> handler, Context context) {
        return Multi.createFrom().iterable(events)
                .onItem().transformToUniAndConcatenate(e -> retryWhileUnavailable(inTransaction(List.of(e), handler, context),
                                "applying " + e)
                        .onFailure().recoverWithUni(failure -> onContext(deadLetters.send(e.record(),
                                e.event().type().ceType() + " " + e.eventId() + " failed: " + Failures.rootMessage(failure)),
                                context)))
                .collect().last().replaceWithVoid();
    }

    /** Retries while the database or broker is away: warns once per outage, and says when it is over. */
    private Uni<Void> retryWhileUnavailable(Uni<Void> work, String what) {
        return work.onFailure(Failures::isTransient).invoke(e -> {
                    if (!unavailable) {
                        unavailable = true;
                        LOG.warnf("%s: database or broker unavailable (%s); retrying with back-off up to %s", what,
                                Failures.rootMessage(e), config.maxRetryBackoff());
                    } else {
                        LOG.debugf("%s: still unavailable (%s)", what, Failures.rootMessage(e));
                    }
                })
                .onFailure(Failures::isTransient).retry().withBackOff(FIRST_RETRY, config.maxRetryBackoff()).indefinitely()
                .invoke(() -> {
                    if (unavailable) {
                        unavailable = false;
                        LOG.info("database and broker reachable again; consuming");
                    }
                });
    }

    /**
     * One transaction, subscribed on the consumer's Vert.x context every time: a retry after a back-off
     * is resubscribed from Mutiny's timer thread, and Hibernate Reactive must run on the event loop.
     */
    private <R> Uni<Void> inTransaction(List<EventRecord> events, EventHandler<R> handler, Context context) {
        long[] began = new long[1];
        Uni<Void> work = Uni.createFrom().deferred(() -> {
            began[0] = System.nanoTime();
            return unitOfWork.run(() -> firstSeen(events).flatMap(fresh -> {
                count(events.get(0).topic(), "duplicate", events.size() - fresh.size());
                return fresh.isEmpty() ? Uni.createFrom().<Applied<R>>nullItem()
                        : handler.apply(fresh).map(result -> new Applied<>(result, fresh.size()));
            }), applied -> {
                if (applied != null) {
                    timed(events, began[0]);
                    count(events.get(0).topic(), "applied", applied.count());
                    handler.committed(applied.result());
                }
            });
        }).replaceWithVoid();
        return context == null ? work : work.runSubscriptionOn(task -> context.runOnContext(ignored -> task.run()));
    }

    private record Applied<R>(R result, int count) {
    }

    private static final BulkInsert<EventRecord> FIRST_SEEN = BulkInsert.<EventRecord>into("processed_event")
            .text("event_id", EventRecord::eventId).computed("processed_at", "now()")
            .then("ON CONFLICT DO NOTHING RETURNING event_id");

    /**
     * Records the events' ids with one statement; returns the events not recorded before, in order.
     * Inside the transaction: if the handler fails, the ids are not recorded either.
     */
    private static Uni<List<EventRecord>> firstSeen(List<EventRecord> events) {
        return FIRST_SEEN.returning(events).map(inserted -> {
            Set<String> fresh = new HashSet<>();
            inserted.forEach(row -> fresh.add((String) row[0]));
            List<EventRecord> out = new ArrayList<>();
            for (EventRecord e : events) {
                if (fresh.remove(e.eventId())) { // remove: the same ce_id twice in one transaction is applied once
                    out.add(e);
                }
            }
            return out;
        });
    }

    private static EventRecord read(ConsumerRecord<String, String> record, String type) {
        String eventId = header(record, CloudEventHeaders.ID);
        if (eventId == null || eventId.isBlank() || eventId.length() > 200) {
            throw new IllegalArgumentException("ce_id header missing, empty or longer than 200 characters");
        }
        if (type == null) {
            throw new IllegalArgumentException("no ce_type header");
        }
        String home = EventType.of(type).topic();
        if (!home.equals(record.topic())) { // a producer that got the contract wrong, or one that should not write here
            throw new IllegalArgumentException("ce_type " + type + " belongs on " + home + ", not on " + record.topic());
        }
        PledgeEvent event = EventJson.fromJson(type,
                record.value() == null ? new byte[0] : record.value().getBytes(StandardCharsets.UTF_8));
        return new EventRecord(eventId, event, record);
    }

    /** Continues on the consumer's Vert.x context: Hibernate Reactive must not be called from a Kafka thread. */
    private static Uni<Void> onContext(Uni<Void> work, Context context) {
        return context == null ? work : work.emitOn(task -> context.runOnContext(ignored -> task.run()));
    }

    /**
     * How a committed transaction went: its events, its time from first statement to commit, and how
     * old its oldest record was at the commit, from the record's timestamp (its producer's send, unless
     * the topic stamps append time): the lag behind the producer, before this service's relay sends.
     */
    private void timed(List<EventRecord> events, long began) {
        long now = System.currentTimeMillis();
        long oldest = Long.MAX_VALUE;
        for (EventRecord e : events) {
            oldest = Math.min(oldest, e.record().timestamp());
        }
        batchEvents.record(events.size());
        batchTime.record(System.nanoTime() - began, TimeUnit.NANOSECONDS);
        if (oldest > 0 && oldest <= now) {
            eventAge.record(now - oldest, TimeUnit.MILLISECONDS);
        }
    }

    private void count(String topic, String outcome, int n) {
        if (n > 0) {
            metrics.counter("pledge.consumer.events", "topic", topic, "outcome", outcome).increment(n);
        }
    }

    private static String header(ConsumerRecord<String, String> record, String name) {
        Header h = record.headers().lastHeader(name);
        return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }
}
