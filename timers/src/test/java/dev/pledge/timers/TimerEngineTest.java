package dev.pledge.timers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The engine's scheduling rules, against a table kept in memory (the firing transaction itself is
 * tested over PostgreSQL in the services' ITs): no timer lost to a refill racing a revocation, rows
 * held by another transaction retried instead of waited for, and the database's clock obeyed.
 */
class TimerEngineTest {
    static final TimersConfig CONFIG = new TimersConfig() {
        public Duration horizon() {
            return Duration.ofMinutes(1);
        }

        public Duration refillInterval() {
            return Duration.ofMinutes(10); // refills only when a test asks (partitions assigned)
        }

        public Duration orphanGrace() {
            return Duration.ofMinutes(10);
        }

        public int fireBatch() {
            return 100;
        }

        public Duration lockedRetry() {
            return Duration.ofMillis(50);
        }
    };

    /** A timer table in memory: key to (partition, next due); "database" time may be offset from the JVM's. */
    static final class Table implements TimerEngine.Store<String> {
        final Map<String, TimerEngine.Due<String>> rows = new ConcurrentHashMap<>();
        final Set<String> locked = ConcurrentHashMap.newKeySet();
        final List<String> fired = new CopyOnWriteArrayList<>();
        volatile Duration databaseBehind = Duration.ZERO;
        volatile Consumer<Set<Integer>> beforeRefillReturns = p -> { };

        void put(String key, int partition, Instant at) {
            rows.put(key, new TimerEngine.Due<>(key, partition, at));
        }

        public List<TimerEngine.Due<String>> dueBy(Set<Integer> partitions, Instant until) {
            List<TimerEngine.Due<String>> found = rows.values().stream()
                    .filter(d -> partitions.contains(d.partition()) && !d.at().isAfter(until)).toList();
            beforeRefillReturns.accept(partitions);
            return found;
        }

        public List<TimerEngine.Due<String>> overdue(Instant before, int limit) {
            return rows.values().stream().filter(d -> d.at().isBefore(before)).limit(limit).toList();
        }

        public List<TimerEngine.Due<String>> fire(List<String> keys) {
            Instant now = databaseNow();
            List<TimerEngine.Due<String>> stand = new ArrayList<>();
            for (String key : keys) {
                Optional.ofNullable(rows.get(key)).ifPresent(d -> {
                    if (!d.at().isAfter(now) && !locked.contains(key)) {
                        rows.remove(key);
                        fired.add(key);
                    } else {
                        stand.add(d);
                    }
                });
            }
            return stand;
        }

        public Instant databaseNow() {
            return Instant.now().minus(databaseBehind);
        }
    }

    final Table table = new Table();
    final TimerEngine<String> engine = new TimerEngine<>("test", table, CONFIG, new SimpleMeterRegistry());

    @AfterEach
    void stop() throws InterruptedException {
        engine.stop();
    }

    @Test
    void aTimerFiresWhenDue() {
        table.put("a", 0, Instant.now().plusMillis(300));
        engine.start();
        engine.own(List.of(0));
        await().atMost(Duration.ofSeconds(5)).until(() -> table.fired.contains("a"));
    }

    @Test
    void aRefillThatRacesARevocationLeavesNothingBehindToHideTheTimerWhenThePartitionComesBack() throws Exception {
        table.put("a", 0, Instant.now().plusMillis(500));
        CountDownLatch refillRead = new CountDownLatch(1);
        CountDownLatch revoked = new CountDownLatch(1);
        table.beforeRefillReturns = p -> {
            refillRead.countDown();
            try {
                revoked.await(5, TimeUnit.SECONDS); // the revocation lands between the query and the heap
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
        engine.start();
        engine.own(List.of(0));
        assertThat(refillRead.await(5, TimeUnit.SECONDS)).isTrue();
        engine.disown(List.of(0));
        table.beforeRefillReturns = p -> { };
        revoked.countDown();
        // The timer comes due while its partition is elsewhere: nothing fires for a second.
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(2)).until(() -> table.fired.isEmpty());
        assertThat(table.fired).isEmpty();
        engine.own(List.of(0));
        await().atMost(Duration.ofSeconds(5)).until(() -> table.fired.contains("a"));
    }

    @Test
    void aRowHeldByAnotherTransactionIsTriedAgainAndDoesNotHoldUpTheOthers() {
        Instant at = Instant.now().plusMillis(300);
        table.put("held", 0, at);
        table.put("free", 0, at);
        table.locked.add("held");
        engine.start();
        engine.own(List.of(0));
        await().atMost(Duration.ofSeconds(5)).until(() -> table.fired.contains("free"));
        assertThat(table.fired).doesNotContain("held");
        table.locked.remove("held");
        await().atMost(Duration.ofSeconds(2)).until(() -> table.fired.contains("held"));
    }

    @Test
    void theDatabasesClockDecidesWhenATimerIsDue() {
        table.databaseBehind = Duration.ofSeconds(2); // this JVM's clock runs 2 s ahead of the database's
        Instant start = Instant.now();
        table.put("a", 0, table.databaseNow().plusMillis(500));
        engine.start();
        engine.own(List.of(0));
        await().atMost(Duration.ofSeconds(10)).until(() -> table.fired.contains("a"));
        assertThat(Duration.between(start, Instant.now())).isGreaterThanOrEqualTo(Duration.ofMillis(450));
    }
}
