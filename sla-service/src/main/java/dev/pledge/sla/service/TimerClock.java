package dev.pledge.sla.service;

import dev.pledge.outbox.OutboxRelay;
import dev.pledge.sla.SlaTimer;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.vertx.VertxContextSupport;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Fires timers on time. Timers live in PostgreSQL; those due within {@code pledge.sla.horizon} of
 * the partitions this instance owns are also held here in a heap ordered by due time, refilled from
 * the database every {@code pledge.sla.refill-interval} and whenever partitions are assigned. One
 * thread sleeps until the earliest is due and fires it in a transaction that re-checks it under a
 * row lock, so an entry made stale by a reply or a pause is harmless, and so is a timer fired by two
 * instances at once: only the first changes it.
 *
 * <p>Orphans: a timer overdue by more than {@code pledge.sla.orphan-grace} has no live owner (its
 * instance died and the group has not reassigned the partition yet, or this instance just started).
 * Every refill also picks those up, whoever owns them, so a timer that came due while the service
 * was down fires right after it is back rather than after the consumer group's session timeout.
 */
@ApplicationScoped
public class TimerClock {
    private static final Logger LOG = Logger.getLogger(TimerClock.class);

    /** A timer due at {@code at}; {@code at} is also its identity in the heap, so moved timers leave stale entries. */
    record Due(Instant at, SlaTimer.Key key, int partition, boolean orphan) {
    }

    private final SlaTimers timers;
    private final OutboxRelay relay;
    private final Pool pool;
    private final Duration horizon;
    private final Duration refillInterval;
    private final Duration orphanGrace;
    private final int batch;
    private final Timer lateness;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final PriorityQueue<Due> heap = new PriorityQueue<>((a, b) -> a.at().compareTo(b.at()));
    private final Map<SlaTimer.Key, Instant> scheduled = new HashMap<>();
    private final Set<Integer> owned = ConcurrentHashMap.newKeySet();
    private volatile boolean running;
    private volatile boolean refillNow;
    private Thread thread;

    public TimerClock(SlaTimers timers, OutboxRelay relay, Pool pool, MeterRegistry metrics,
            @ConfigProperty(name = "pledge.sla.horizon") Duration horizon,
            @ConfigProperty(name = "pledge.sla.refill-interval") Duration refillInterval,
            @ConfigProperty(name = "pledge.sla.orphan-grace") Duration orphanGrace,
            @ConfigProperty(name = "pledge.sla.fire-batch") int batch) {
        this.timers = timers;
        this.relay = relay;
        this.pool = pool;
        this.horizon = horizon;
        this.refillInterval = refillInterval;
        this.orphanGrace = orphanGrace;
        this.batch = batch;
        this.lateness = Timer.builder("pledge.sla.fire.lateness").description("time from due to fired (committed)")
                .publishPercentiles(0.5, 0.99).register(metrics);
        metrics.gauge("pledge.sla.clock.scheduled", scheduled, Map::size);
    }

    void start(@Observes StartupEvent event) {
        running = true;
        thread = new Thread(this::loop, "sla-clock");
        thread.setDaemon(true);
        thread.start();
    }

    void stop(@Observes ShutdownEvent event) throws InterruptedException {
        running = false;
        signal();
        if (thread != null) {
            thread.join(10_000);
        }
    }

    /** Partitions assigned to this instance: their timers are now ours to fire. */
    public void own(Collection<Integer> partitions) {
        owned.addAll(partitions);
        refillNow = true;
        signal();
        LOG.infof("owning contact-events partitions %s", owned);
    }

    /** Partitions revoked: their timers are dropped here; the new owner loads them. */
    public void disown(Collection<Integer> partitions) {
        owned.removeAll(partitions);
        lock.lock();
        try {
            heap.removeIf(d -> partitions.contains(d.partition()));
            scheduled.keySet().retainAll(heap.stream().map(Due::key).collect(java.util.stream.Collectors.toSet()));
        } finally {
            lock.unlock();
        }
        LOG.infof("released partitions %s; owning %s", partitions, owned);
    }

    /** After a commit: timers whose next firing moved, to hold in memory if due soon. */
    public void schedule(Collection<SlaTimer> changed) {
        Instant limit = Instant.now().plus(horizon);
        lock.lock();
        try {
            for (SlaTimer t : changed) {
                if (t.nextFireAt != null && t.nextFireAt.isBefore(limit) && owned.contains(t.partition)) {
                    add(new Due(t.nextFireAt, t.key(), t.partition, false));
                } else {
                    scheduled.remove(t.key()); // a heap entry left behind is skipped when polled
                }
            }
            this.changed.signal();
        } finally {
            lock.unlock();
        }
    }

    private void add(Due due) {
        Instant current = scheduled.get(due.key());
        if (due.at().equals(current)) {
            return;
        }
        scheduled.put(due.key(), due.at());
        heap.add(due);
    }

    private void signal() {
        lock.lock();
        try {
            changed.signal();
        } finally {
            lock.unlock();
        }
    }

    private void loop() {
        warmUp();
        Instant nextRefill = Instant.MIN;
        while (running) {
            try {
                if (refillNow || !Instant.now().isBefore(nextRefill)) {
                    refillNow = false;
                    refill();
                    nextRefill = Instant.now().plus(refillInterval);
                }
                List<Due> due = awaitDue(nextRefill);
                if (!due.isEmpty()) {
                    fire(due);
                }
            } catch (Throwable e) {
                LOG.errorf(e, "timer clock: firing failed; retrying from the database");
                refillNow = true;
                sleep(Duration.ofMillis(500));
            }
        }
    }

    /**
     * Runs the firing transaction once on no timer, so that the first real breach after a start does
     * not pay for query preparation and a cold connection (measured: the first firings were 0.5 s late).
     */
    private void warmUp() {
        try {
            VertxContextSupport.subscribeAndAwait(() -> Panache.withTransaction(() ->
                    timers.fireDue(List.of("(warm-up)"), Instant.now())));
        } catch (Throwable e) {
            LOG.debugf("timer clock warm-up failed: %s", e.getMessage());
        }
    }

    /** Waits until the earliest timer is due (or the next refill), then takes what is due. */
    private List<Due> awaitDue(Instant nextRefill) throws InterruptedException {
        lock.lock();
        try {
            while (running && !refillNow) {
                Instant now = Instant.now();
                Due head = heap.peek();
                if (head != null && !head.at().isAfter(now)) {
                    break;
                }
                Instant wakeAt = head == null || head.at().isAfter(nextRefill) ? nextRefill : head.at();
                long nanos = Duration.between(now, wakeAt).toNanos();
                if (nanos <= 0) {
                    return List.of();
                }
                changed.awaitNanos(nanos);
            }
            List<Due> due = new ArrayList<>();
            Instant now = Instant.now();
            while (!heap.isEmpty() && !heap.peek().at().isAfter(now) && due.size() < batch) {
                Due d = heap.poll();
                if (d.at().equals(scheduled.get(d.key())) && (d.orphan() || owned.contains(d.partition()))) {
                    scheduled.remove(d.key());
                    due.add(d);
                }
            }
            return due;
        } finally {
            lock.unlock();
        }
    }

    private void fire(List<Due> due) throws Throwable {
        Instant now = Instant.now();
        Set<String> contacts = new LinkedHashSet<>();
        due.forEach(d -> contacts.add(d.key().contactId()));
        List<SlaTimer> fired = VertxContextSupport.subscribeAndAwait(() ->
                Panache.withTransaction(() -> timers.fireDue(contacts, now)));
        relay.wake();
        Instant committed = Instant.now();
        for (Due d : due) {
            lateness.record(Duration.between(d.at(), committed));
        }
        schedule(fired);
    }

    /** Loads the owned partitions' timers due within the horizon, and overdue orphans of any partition. */
    private void refill() {
        Instant now = Instant.now();
        List<Due> found = new ArrayList<>();
        if (!owned.isEmpty()) {
            query("SELECT contact_id, metric, cycle, kafka_partition, next_fire_at FROM sla_timer"
                    + " WHERE kafka_partition = ANY($1) AND next_fire_at <= $2",
                    Tuple.of(owned.toArray(new Integer[0]), utc(now.plus(horizon))), false, found);
        }
        query("SELECT contact_id, metric, cycle, kafka_partition, next_fire_at FROM sla_timer"
                + " WHERE next_fire_at <= $1 ORDER BY next_fire_at LIMIT $2",
                Tuple.of(utc(now.minus(orphanGrace)), batch * 10), true, found);
        lock.lock();
        try {
            found.forEach(this::add);
        } finally {
            lock.unlock();
        }
        LOG.debugf("refilled %d timer(s)", found.size());
    }

    private void query(String sql, Tuple args, boolean orphans, List<Due> into) {
        for (Row row : pool.preparedQuery(sql).execute(args).await().atMost(Duration.ofSeconds(30))) {
            int partition = row.getInteger("kafka_partition");
            into.add(new Due(row.getOffsetDateTime("next_fire_at").toInstant(), new SlaTimer.Key(
                    row.getString("contact_id"), row.getString("metric"), row.getInteger("cycle")), partition,
                    orphans && !owned.contains(partition)));
        }
    }

    private static OffsetDateTime utc(Instant i) {
        return OffsetDateTime.ofInstant(i, ZoneOffset.UTC);
    }

    private static void sleep(Duration d) {
        try {
            TimeUnit.MILLISECONDS.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
