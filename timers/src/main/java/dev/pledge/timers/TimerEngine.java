package dev.pledge.timers;

import dev.pledge.web.Failures;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.jboss.logging.Logger;

/**
 * Fires durable timers on time. Timers live in the service's own table; those due within
 * {@code pledge.timers.horizon} of the partitions this instance owns are also held here, in a heap
 * ordered by due time, refilled every {@code refill-interval} and whenever partitions are assigned.
 * One thread sleeps until the earliest is due and hands a batch to {@link Store#fire}, which fires
 * under row locks by the database's clock, so an entry made stale by a reply is harmless, and so is a
 * timer fired by two instances at once: only the first changes it.
 *
 * <p>Rules that keep it correct:
 * <ul>
 * <li><b>One clock.</b> Whether a timer is due is decided by the database's clock, not this JVM's:
 * the engine sleeps by its own clock corrected by the offset measured at each refill, and a timer that
 * the database says is not due yet is simply put back, so a pod with a fast clock fires nothing
 * early.</li>
 * <li><b>No waiting on locks.</b> {@link Store#fire} skips rows that another transaction (a consumer
 * applying a reply) holds; the engine tries those again after {@code locked-retry}. The firing thread
 * therefore never waits in a lock queue, and no lock-order deadlock with the consumer can arise.</li>
 * <li><b>Ownership under one lock.</b> Partitions are owned and released under the same lock that
 * guards the heap, and nothing is added for a partition that is not owned, so a refill that raced a
 * revocation cannot leave an entry behind that would hide the timer when the partition comes back.</li>
 * <li><b>Orphans.</b> A timer overdue by more than {@code orphan-grace} has no live owner; every
 * refill also picks those up, whoever owns them, so a timer that came due while the service was down
 * fires right after it is back.</li>
 * </ul>
 *
 * @param <K> a timer's identity in the service's table
 */
public final class TimerEngine<K> {
    private static final Logger LOG = Logger.getLogger(TimerEngine.class);
    /** Tries for a due timer that stays locked or not due by the database's clock, before leaving it to the next refill. */
    private static final int MAX_RETRIES = 50;

    /** A timer and when it is next due. */
    public record Due<K>(K key, int partition, Instant at) {
    }

    /** The service's side: its timer table, read and fired. Called from the engine's own thread; may block. */
    public interface Store<K> {
        /** Timers of these partitions with something due by {@code until}. */
        List<Due<K>> dueBy(Set<Integer> partitions, Instant until);

        /** Timers of any partition due before {@code before}, soonest first, at most {@code limit}. */
        List<Due<K>> overdue(Instant before, int limit);

        /**
         * In one transaction, fires whatever is due among these timers by the database's clock, locking
         * their rows and skipping any row another transaction holds. Then returns where each of these
         * timers stands, as committed: its next due time, or nothing when it has nothing left to fire.
         */
        List<Due<K>> fire(List<K> keys);

        /** The database's clock. */
        Instant databaseNow();
    }

    private record Entry<K>(Due<K> due, boolean orphan) {
    }

    private final String name;
    private final Store<K> store;
    private final TimersConfig config;
    private final Timer lateness;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final PriorityQueue<Entry<K>> heap = new PriorityQueue<>((a, b) -> a.due().at().compareTo(b.due().at()));
    /** The one due time each key is held for; heap entries with another time are stale and skipped. */
    private final Map<K, Instant> scheduled = new HashMap<>();
    private final Map<K, Integer> retries = new HashMap<>();
    private final Set<Integer> owned = ConcurrentHashMap.newKeySet();
    private volatile Duration skew = Duration.ZERO;
    private volatile boolean running;
    private volatile boolean refillNow;
    private Thread thread;

    /** Buckets of the lateness (Prometheus {@code _bucket{le=...}}): the share of firings more than 1 s late over any window. */
    static final Duration[] LATENESS_OBJECTIVES = {Duration.ofMillis(250), Duration.ofSeconds(1), Duration.ofSeconds(5),
        Duration.ofSeconds(30)};

    public TimerEngine(String name, Store<K> store, TimersConfig config, MeterRegistry metrics) {
        this.name = name;
        this.store = store;
        this.config = config;
        this.lateness = Timer.builder("pledge.timers.fire.lateness").tag("timers", name)
                .description("time from due to fired (committed), by the database's clock")
                .publishPercentiles(0.5, 0.99).serviceLevelObjectives(LATENESS_OBJECTIVES).register(metrics);
        metrics.gauge("pledge.timers.scheduled", List.of(io.micrometer.core.instrument.Tag.of("timers", name)),
                scheduled, Map::size);
    }

    public synchronized void start() {
        if (running) {
            return;
        }
        running = true;
        thread = new Thread(this::loop, name + "-timers");
        thread.setDaemon(true);
        thread.start();
    }

    public void stop() throws InterruptedException {
        running = false;
        signal();
        if (thread != null) {
            thread.join(10_000);
        }
    }

    /** Partitions assigned to this instance: their timers are now ours to fire. */
    public void own(Collection<Integer> partitions) {
        lock.lock();
        try {
            owned.addAll(partitions);
            refillNow = true;
            changed.signal();
        } finally {
            lock.unlock();
        }
        LOG.infof("%s timers: owning partitions %s", name, owned);
    }

    /** Partitions revoked: their timers are dropped here; the new owner loads them. */
    public void disown(Collection<Integer> partitions) {
        lock.lock();
        try {
            owned.removeAll(partitions);
            heap.removeIf(e -> !e.orphan() && partitions.contains(e.due().partition()) && unschedule(e.due()));
        } finally {
            lock.unlock();
        }
        LOG.infof("%s timers: released partitions %s; owning %s", name, partitions, owned);
    }

    /** After a commit: timers whose next due time moved (null {@code at}: nothing left to fire). */
    public void schedule(Collection<Due<K>> moved) {
        Instant limit = now().plus(config.horizon());
        lock.lock();
        try {
            for (Due<K> d : moved) {
                if (d.at() != null && d.at().isBefore(limit)) {
                    add(new Entry<>(d, false));
                } else {
                    scheduled.remove(d.key()); // a heap entry left behind is skipped when polled
                }
            }
            changed.signal();
        } finally {
            lock.unlock();
        }
    }

    /** Under the lock. Entries for partitions not owned are refused, unless they are orphans. */
    private void add(Entry<K> entry) {
        Due<K> due = entry.due();
        if (!entry.orphan() && !owned.contains(due.partition())) {
            return;
        }
        if (due.at().equals(scheduled.get(due.key()))) {
            return;
        }
        scheduled.put(due.key(), due.at());
        heap.add(entry);
    }

    /** Under the lock: forgets the key if this entry is the one it is held for. Always true, for removeIf. */
    private boolean unschedule(Due<K> due) {
        scheduled.remove(due.key(), due.at());
        return true;
    }

    private void signal() {
        lock.lock();
        try {
            changed.signal();
        } finally {
            lock.unlock();
        }
    }

    /** This JVM's clock corrected to the database's, as last measured. */
    private Instant now() {
        return Instant.now().plus(skew);
    }

    /** Whether the last pass met an outage (only the loop's thread touches it). */
    private boolean unavailable;

    private void loop() {
        warmUp();
        Instant nextRefill = Instant.MIN;
        while (running) {
            try {
                if (refillNow || !Instant.now().isBefore(nextRefill)) {
                    refillNow = false;
                    refill();
                    nextRefill = Instant.now().plus(config.refillInterval());
                }
                List<Due<K>> due = awaitDue(nextRefill);
                if (!due.isEmpty()) {
                    fire(due);
                }
                if (unavailable) {
                    unavailable = false;
                    LOG.infof("%s timers: the database answers again; firing", name);
                }
            } catch (Throwable e) {
                if (Failures.isTransient(e)) { // an outage: said once, not a stack trace every half second
                    if (!unavailable) {
                        unavailable = true;
                        LOG.warnf("%s timers: database unavailable (%s); firing again once it answers", name,
                                Failures.rootMessage(e));
                    }
                } else {
                    LOG.errorf(e, "%s timers: firing failed; reading them again from the database", name);
                }
                refillNow = true;
                sleep(Duration.ofMillis(500));
            }
        }
    }

    /**
     * Runs the firing transaction once on no timer, so that the first real firing after a start does
     * not pay for query preparation and a cold connection (measured: the first breaches were 0.5 s late).
     */
    private void warmUp() {
        try {
            store.fire(List.of());
        } catch (Throwable e) {
            LOG.debugf("%s timers: warm-up failed: %s", name, e.getMessage());
        }
    }

    /** Waits until the earliest timer is due (or the next refill), then takes what is due. */
    private List<Due<K>> awaitDue(Instant nextRefill) throws InterruptedException {
        lock.lock();
        try {
            while (running && !refillNow) {
                Entry<K> head = heap.peek();
                Instant dueAt = head == null ? null : head.due().at().minus(skew); // by this JVM's clock
                Instant local = Instant.now();
                if (dueAt != null && !dueAt.isAfter(local)) {
                    break;
                }
                Instant wakeAt = dueAt == null || dueAt.isAfter(nextRefill) ? nextRefill : dueAt;
                long nanos = Duration.between(local, wakeAt).toNanos();
                if (nanos <= 0) {
                    return List.of();
                }
                changed.awaitNanos(nanos);
            }
            List<Due<K>> due = new ArrayList<>();
            Instant now = now();
            while (!heap.isEmpty() && !heap.peek().due().at().isAfter(now) && due.size() < config.fireBatch()) {
                Entry<K> e = heap.poll();
                boolean current = e.due().at().equals(scheduled.get(e.due().key()));
                if (current && (e.orphan() || owned.contains(e.due().partition()))) {
                    scheduled.remove(e.due().key());
                    due.add(e.due());
                } else if (current) {
                    scheduled.remove(e.due().key()); // released meanwhile: forget it, the new owner has it
                }
            }
            return due;
        } finally {
            lock.unlock();
        }
    }

    private void fire(List<Due<K>> due) {
        List<K> keys = due.stream().map(Due::key).toList();
        List<Due<K>> stand = store.fire(keys);
        Instant now = now();
        Map<K, Due<K>> stillDue = new HashMap<>();
        for (Due<K> d : stand) {
            if (!d.at().isAfter(now)) {
                stillDue.put(d.key(), d); // another transaction held its row, or the database's clock is behind ours
            }
        }
        for (Due<K> d : due) {
            if (!stillDue.containsKey(d.key())) {
                lateness.record(Duration.between(d.at(), now));
            }
        }
        lock.lock();
        try {
            Instant retryAt = now.plus(config.lockedRetry());
            for (Due<K> d : stand) {
                if (!stillDue.containsKey(d.key())) {
                    add(new Entry<>(d, isOrphan(d, now)));
                } else if (retries.merge(d.key(), 1, Integer::sum) <= MAX_RETRIES) {
                    add(new Entry<>(new Due<>(d.key(), d.partition(), retryAt), isOrphan(d, now)));
                } else {
                    retries.remove(d.key());
                    LOG.warnf("%s timers: %s stayed due but could not be fired %d times; left to the next refill",
                            name, d.key(), MAX_RETRIES);
                }
            }
            keys.stream().filter(k -> !stillDue.containsKey(k)).forEach(retries::remove);
        } finally {
            lock.unlock();
        }
    }

    private boolean isOrphan(Due<K> d, Instant now) {
        return !owned.contains(d.partition()) && d.at().isBefore(now.minus(config.orphanGrace()));
    }

    /** Loads the owned partitions' timers due within the horizon, and overdue orphans of any partition. */
    private void refill() {
        Instant before = Instant.now();
        Instant databaseNow = store.databaseNow();
        Instant after = Instant.now();
        skew = Duration.between(before.plus(Duration.between(before, after).dividedBy(2)), databaseNow);
        Set<Integer> partitions = Set.copyOf(owned);
        List<Due<K>> mine = partitions.isEmpty() ? List.of()
                : store.dueBy(partitions, databaseNow.plus(config.horizon()));
        List<Due<K>> orphans = store.overdue(databaseNow.minus(config.orphanGrace()), config.fireBatch() * 10);
        lock.lock();
        try {
            mine.forEach(d -> add(new Entry<>(d, false)));
            orphans.forEach(d -> add(new Entry<>(d, !owned.contains(d.partition()))));
            changed.signal();
        } finally {
            lock.unlock();
        }
        LOG.debugf("%s timers: refilled %d timer(s) and %d overdue; clock offset to the database %s", name,
                mine.size(), orphans.size(), skew);
    }

    private static void sleep(Duration d) {
        try {
            TimeUnit.MILLISECONDS.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
