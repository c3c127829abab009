package dev.pledge.timers;

import dev.pledge.outbox.UnitOfWork;
import dev.pledge.persistence.Sql;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.lang.reflect.Array;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Every timer table of a service on its own {@link TimerEngine}: {@link #start} reads and fires the
 * table for the engine (through {@link UnitOfWork}, so a firing's events are published right after it
 * commits), owns the partitions the consumer group assigns ({@link TimerPartitions}), and runs from the
 * service's start to its shutdown. A service declares its table and its fire function, and after each
 * commit hands the timers it moved to {@link TimerEngine#schedule}; nothing else.
 */
@ApplicationScoped
public class Timers {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final Pool pool;
    private final UnitOfWork unitOfWork;
    private final TimersConfig config;
    private final MeterRegistry metrics;
    private final TimerPartitions partitions;
    private final List<TimerEngine<?>> engines = new CopyOnWriteArrayList<>();
    private volatile boolean started;

    public Timers(Pool pool, UnitOfWork unitOfWork, TimersConfig config, MeterRegistry metrics,
            @Identifier(TimerPartitions.NAME) TimerPartitions partitions) {
        this.pool = pool;
        this.unitOfWork = unitOfWork;
        this.config = config;
        this.metrics = metrics;
        this.partitions = partitions;
    }

    /**
     * An engine for this table. {@code fire} runs in the engine's transaction with the keys it found due
     * (or the table's warm-up key): it fires what is due among them by the database's clock, under row
     * locks, skipping rows another transaction holds. Call it from the constructor of the service that
     * owns the table; the engine runs from the service's start.
     */
    public <K> TimerEngine<K> start(TimerTable<K> table, Function<List<K>, Uni<?>> fire) {
        TimerEngine<K> engine = new TimerEngine<>(table.name(), new Store<>(table, fire), config, metrics);
        partitions.register(engine);
        engines.add(engine);
        if (started) {
            engine.start();
        }
        return engine;
    }

    void start(@Observes StartupEvent event) {
        started = true;
        engines.forEach(TimerEngine::start);
    }

    void stop(@Observes ShutdownEvent event) throws InterruptedException {
        for (TimerEngine<?> engine : engines) {
            engine.stop();
        }
    }

    /** One table, read and fired. */
    private final class Store<K> implements TimerEngine.Store<K> {
        private final TimerTable<K> table;
        private final Function<List<K>, Uni<?>> fire;
        private final String select;
        private final String byKeys;

        Store(TimerTable<K> table, Function<List<K>, Uni<?>> fire) {
            this.table = table;
            this.fire = fire;
            String names = table.key().stream().map(TimerTable.KeyColumn::name).collect(Collectors.joining(", "));
            this.select = "SELECT " + names + ", kafka_partition, next_fire_at FROM " + table.table();
            List<String> arrays = new ArrayList<>();
            for (int i = 0; i < table.key().size(); i++) {
                arrays.add("$" + (i + 1) + "::" + table.key().get(i).type() + "[]");
            }
            this.byKeys = select + " WHERE (" + names + ") IN (SELECT * FROM unnest(" + String.join(", ", arrays)
                    + ")) AND next_fire_at IS NOT NULL";
        }

        @Override
        public List<TimerEngine.Due<K>> dueBy(Set<Integer> partitions, Instant until) {
            return query(select + " WHERE kafka_partition = ANY($1) AND next_fire_at <= $2",
                    Tuple.of(partitions.toArray(new Integer[0]), Sql.utc(until)));
        }

        @Override
        public List<TimerEngine.Due<K>> overdue(Instant before, int limit) {
            return query(select + " WHERE next_fire_at < $1 ORDER BY next_fire_at LIMIT $2", Tuple.of(Sql.utc(before), limit));
        }

        @Override
        public List<TimerEngine.Due<K>> fire(List<K> keys) {
            List<K> firing = keys.isEmpty() ? List.of(table.warmUp()) : keys;
            unitOfWork.await(() -> fire.apply(firing));
            return keys.isEmpty() ? List.of() : query(byKeys, Tuple.wrap(arrays(keys)));
        }

        @Override
        public Instant databaseNow() {
            return Sql.databaseNow(pool);
        }

        /** One array per key column of these keys' values. */
        private Object[] arrays(Collection<K> keys) {
            List<TimerTable.KeyColumn> columns = table.key();
            Object[] arrays = new Object[columns.size()];
            for (int c = 0; c < arrays.length; c++) {
                arrays[c] = Array.newInstance(columns.get(c).java(), keys.size());
            }
            int r = 0;
            for (K key : keys) {
                Object[] values = table.values().apply(key);
                for (int c = 0; c < arrays.length; c++) {
                    Array.set(arrays[c], r, values[c]);
                }
                r++;
            }
            return arrays;
        }

        private List<TimerEngine.Due<K>> query(String sql, Tuple args) {
            int n = table.key().size();
            List<TimerEngine.Due<K>> found = new ArrayList<>();
            for (Row row : pool.preparedQuery(sql).execute(args).await().atMost(TIMEOUT)) {
                found.add(new TimerEngine.Due<>(table.read().apply(row), row.getInteger(n),
                        row.getOffsetDateTime(n + 1).toInstant()));
            }
            return found;
        }
    }
}
