package dev.pledge.escalation.repository;

import dev.pledge.escalation.EscalationContact;
import dev.pledge.escalation.service.Escalations;
import dev.pledge.outbox.OutboxRelay;
import dev.pledge.timers.TimerEngine;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.vertx.VertxContextSupport;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** {@code esc_contact.next_fire_at} as the timer engine reads and fires it: one timer per contact. */
@ApplicationScoped
public class DeadlineStore implements TimerEngine.Store<String> {
    private static final String COLUMNS = "SELECT contact_id, kafka_partition, next_fire_at FROM esc_contact";
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final Pool pool;
    private final Escalations escalations;
    private final OutboxRelay relay;

    public DeadlineStore(Pool pool, Escalations escalations, OutboxRelay relay) {
        this.pool = pool;
        this.escalations = escalations;
        this.relay = relay;
    }

    public static TimerEngine.Due<String> due(EscalationContact c) {
        return new TimerEngine.Due<>(c.contactId, c.partition, c.nextFireAt);
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

    /** Fires what is due for these contacts in one transaction (rows others hold are skipped), then reads where they stand. */
    @Override
    public List<TimerEngine.Due<String>> fire(List<String> keys) {
        Set<String> contacts = new LinkedHashSet<>(keys);
        if (contacts.isEmpty()) {
            contacts.add("(warm-up)"); // prepares the statements of the firing path, fires nothing
        }
        try {
            VertxContextSupport.subscribeAndAwait(() -> Panache.withTransaction(() -> escalations.fireDue(contacts)));
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
        relay.wake();
        if (keys.isEmpty()) {
            return List.of();
        }
        return query(COLUMNS + " WHERE contact_id = ANY($1) AND next_fire_at IS NOT NULL",
                Tuple.of((Object) keys.toArray(new String[0])));
    }

    @Override
    public Instant databaseNow() {
        return pool.query("SELECT clock_timestamp() AS now").execute().await().atMost(TIMEOUT).iterator().next()
                .getOffsetDateTime("now").toInstant();
    }

    private List<TimerEngine.Due<String>> query(String sql, Tuple args) {
        List<TimerEngine.Due<String>> found = new ArrayList<>();
        for (Row row : pool.preparedQuery(sql).execute(args).await().atMost(TIMEOUT)) {
            found.add(new TimerEngine.Due<>(row.getString("contact_id"), row.getInteger("kafka_partition"),
                    row.getOffsetDateTime("next_fire_at").toInstant()));
        }
        return found;
    }

    private static OffsetDateTime utc(Instant i) {
        return OffsetDateTime.ofInstant(i, ZoneOffset.UTC);
    }
}
