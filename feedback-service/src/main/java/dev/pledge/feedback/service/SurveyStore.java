package dev.pledge.feedback.service;

import dev.pledge.outbox.OutboxRelay;
import dev.pledge.timers.TimerEngine;
import dev.pledge.timers.TimerPartitions;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.vertx.VertxContextSupport;
import io.smallrye.common.annotation.Identifier;
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
import java.util.List;
import java.util.Set;

/**
 * Survey delays on the shared timer engine: one timer per survey, due at {@code fb_survey.next_fire_at}
 * while it is scheduled. Partitions come from the consumer group of the {@code events} channel.
 */
@ApplicationScoped
public class SurveyStore implements TimerEngine.Store<String> {
    private static final String COLUMNS = "SELECT CAST(survey_id AS text) AS id, kafka_partition, next_fire_at FROM fb_survey";
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    /** Parses as a survey id and matches none: the warm-up fires nothing. */
    private static final String WARM_UP = "00000000-0000-0000-0000-000000000000";

    private final Pool pool;
    private final Surveys surveys;
    private final OutboxRelay relay;
    private final TimerEngine<String> engine;

    public SurveyStore(Pool pool, Surveys surveys, OutboxRelay relay,
            @Identifier(TimerPartitions.NAME) TimerPartitions partitions, dev.pledge.timers.TimersConfig config,
            MeterRegistry metrics) {
        this.pool = pool;
        this.surveys = surveys;
        this.relay = relay;
        this.engine = new TimerEngine<>("surveys", this, config, metrics);
        partitions.register(engine);
    }

    void start(@Observes StartupEvent event) {
        engine.start();
    }

    void stop(@Observes ShutdownEvent event) throws InterruptedException {
        engine.stop();
    }

    /** After a commit: surveys whose send time moved (null: nothing left to send). */
    public void schedule(Collection<TimerEngine.Due<String>> moved) {
        engine.schedule(moved);
    }

    @Override
    public List<TimerEngine.Due<String>> dueBy(Set<Integer> partitions, Instant until) {
        return query(COLUMNS + " WHERE kafka_partition = ANY($1) AND next_fire_at <= $2",
                Tuple.of(partitions.toArray(new Integer[0]), utc(until)));
    }

    @Override
    public List<TimerEngine.Due<String>> overdue(Instant before, int limit) {
        return query(COLUMNS + " WHERE next_fire_at < $1 ORDER BY next_fire_at LIMIT $2", Tuple.of(utc(before), limit));
    }

    @Override
    public List<TimerEngine.Due<String>> fire(List<String> keys) {
        List<String> ids = keys.isEmpty() ? List.of(WARM_UP) : keys; // the warm-up prepares the statements
        try {
            VertxContextSupport.subscribeAndAwait(() -> Panache.withTransaction(() -> surveys.fireDue(ids)));
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
        relay.wake();
        if (keys.isEmpty()) {
            return List.of();
        }
        return query(COLUMNS + " WHERE survey_id = ANY($1) AND next_fire_at IS NOT NULL",
                Tuple.of((Object) keys.stream().map(java.util.UUID::fromString).toArray(java.util.UUID[]::new)));
    }

    @Override
    public Instant databaseNow() {
        return pool.query("SELECT clock_timestamp() AS now").execute().await().atMost(TIMEOUT).iterator().next()
                .getOffsetDateTime("now").toInstant();
    }

    private List<TimerEngine.Due<String>> query(String sql, Tuple args) {
        List<TimerEngine.Due<String>> found = new ArrayList<>();
        for (Row row : pool.preparedQuery(sql).execute(args).await().atMost(TIMEOUT)) {
            found.add(new TimerEngine.Due<>(row.getString("id"), row.getInteger("kafka_partition"),
                    row.getOffsetDateTime("next_fire_at").toInstant()));
        }
        return found;
    }

    private static OffsetDateTime utc(Instant i) {
        return OffsetDateTime.ofInstant(i, ZoneOffset.UTC);
    }
}
