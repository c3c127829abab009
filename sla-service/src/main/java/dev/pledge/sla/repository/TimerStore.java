package dev.pledge.sla.repository;

import dev.pledge.outbox.OutboxRelay;
import dev.pledge.outbox.RetainedTable;
import dev.pledge.sla.config.SlaConfig;
import dev.pledge.sla.SlaTimer;
import dev.pledge.sla.service.SlaTimers;
import dev.pledge.timers.TimerEngine;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.vertx.VertxContextSupport;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** The {@code sla_timer} table as the timer engine reads and fires it. */
@ApplicationScoped
public class TimerStore implements TimerEngine.Store<SlaTimer.Key> {
    private static final String COLUMNS = "SELECT contact_id, metric, cycle, kafka_partition, next_fire_at FROM sla_timer";
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final Pool pool;
    private final SlaTimers timers;
    private final OutboxRelay relay;

    public TimerStore(Pool pool, SlaTimers timers, OutboxRelay relay) {
        this.pool = pool;
        this.timers = timers;
        this.relay = relay;
    }

    /** Ended timers are pruned by the shared retention job after {@code pledge.sla.ended-timer-retention}. */
    @Produces
    static RetainedTable endedTimers(SlaConfig config) {
        return new RetainedTable("sla_timer", "ended_at", config.endedTimerRetention());
    }

    public static TimerEngine.Due<SlaTimer.Key> due(SlaTimer t) {
        return new TimerEngine.Due<>(t.key(), t.partition, t.nextFireAt);
    }

    @Override
    public List<TimerEngine.Due<SlaTimer.Key>> dueBy(Set<Integer> partitions, Instant until) {
        return query(COLUMNS + " WHERE kafka_partition = ANY($1) AND next_fire_at <= $2",
                Tuple.of(partitions.toArray(new Integer[0]), utc(until)));
    }

    @Override
    public List<TimerEngine.Due<SlaTimer.Key>> overdue(Instant before, int limit) {
        return query(COLUMNS + " WHERE next_fire_at < $1 ORDER BY next_fire_at LIMIT $2", Tuple.of(utc(before), limit));
    }

    /** Fires the contacts' due timers in one transaction (rows others hold are skipped), then reads where these stand. */
    @Override
    public List<TimerEngine.Due<SlaTimer.Key>> fire(List<SlaTimer.Key> keys) {
        Set<String> contacts = new LinkedHashSet<>();
        keys.forEach(k -> contacts.add(k.contactId()));
        if (contacts.isEmpty()) {
            contacts.add("(warm-up)"); // prepares the statements of the firing path, fires nothing
        }
        try {
            VertxContextSupport.subscribeAndAwait(() -> Panache.withTransaction(() -> timers.fireDue(contacts)));
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
        relay.wake();
        if (keys.isEmpty()) {
            return List.of();
        }
        List<String> ids = new ArrayList<>();
        List<String> metrics = new ArrayList<>();
        List<Integer> cycles = new ArrayList<>();
        keys.forEach(k -> {
            ids.add(k.contactId());
            metrics.add(k.metric());
            cycles.add(k.cycle());
        });
        return query(COLUMNS + " WHERE (contact_id, metric, cycle) IN (SELECT * FROM unnest($1::varchar[], $2::varchar[],"
                + " $3::int[])) AND next_fire_at IS NOT NULL", Tuple.of(ids.toArray(new String[0]),
                metrics.toArray(new String[0]), cycles.toArray(new Integer[0])));
    }

    @Override
    public Instant databaseNow() {
        return pool.query("SELECT clock_timestamp() AS now").execute().await().atMost(TIMEOUT).iterator().next()
                .getOffsetDateTime("now").toInstant();
    }

    private List<TimerEngine.Due<SlaTimer.Key>> query(String sql, Tuple args) {
        List<TimerEngine.Due<SlaTimer.Key>> found = new ArrayList<>();
        for (Row row : pool.preparedQuery(sql).execute(args).await().atMost(TIMEOUT)) {
            found.add(new TimerEngine.Due<>(new SlaTimer.Key(row.getString("contact_id"), row.getString("metric"),
                    row.getInteger("cycle")), row.getInteger("kafka_partition"),
                    row.getOffsetDateTime("next_fire_at").toInstant()));
        }
        return found;
    }

    private static OffsetDateTime utc(Instant i) {
        return OffsetDateTime.ofInstant(i, ZoneOffset.UTC);
    }
}
