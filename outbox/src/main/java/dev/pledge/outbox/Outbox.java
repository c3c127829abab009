package dev.pledge.outbox;

import dev.pledge.events.EventJson;
import dev.pledge.events.Ids;
import dev.pledge.events.PledgeEvent;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;

/**
 * Appends events to the outbox inside the caller's transaction; {@link OutboxRelay} publishes them
 * after commit. Call {@link OutboxRelay#wake()} once the transaction has committed.
 */
@ApplicationScoped
public class Outbox {

    /** Appends an event with a fresh id. */
    public Uni<OutboxEvent> append(PledgeEvent event, Instant time) {
        return append(event, time, Ids.next());
    }

    /**
     * Appends an event with a given id: a deterministic one (see {@link #idOf}) makes an event that
     * is produced twice, e.g. by a timer fired again after a restart, one event for consumers.
     */
    public Uni<OutboxEvent> append(PledgeEvent event, Instant time, UUID id) {
        OutboxEvent row = new OutboxEvent();
        row.eventId = id;
        row.topic = event.type().topic();
        row.eventKey = event.key();
        row.ceType = event.type().ceType();
        row.ceTime = time;
        row.payload = EventJson.toJson(event);
        return Panache.getSession().flatMap(s -> s.persist(row)).replaceWith(row);
    }

    /** An event and the id it is published with. */
    public record Entry(PledgeEvent event, UUID id) {
    }

    /**
     * Appends many events in the caller's Hibernate Reactive transaction with one statement, in list
     * order: one round trip where {@link #append} makes one per event.
     */
    public Uni<Void> appendAll(List<Entry> entries, Instant time) {
        if (entries.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return SessionSql.update(APPEND_ALL, columns(entries, time)).replaceWithVoid();
    }

    /**
     * Appends many events with fresh ids in one statement on a connection of the reactive client,
     * inside the caller's transaction there: for hot paths that write many rows at once. Rows get
     * {@code seq} in list order, so the relay publishes them in that order.
     */
    public static Uni<Void> appendAll(SqlClient client, List<? extends PledgeEvent> events, Instant time) {
        if (events.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        List<Entry> entries = events.stream().map(e -> new Entry(e, Ids.next())).toList();
        return client.preparedQuery(APPEND_ALL).execute(Tuple.wrap(columns(entries, time))).replaceWithVoid();
    }

    /** {@link #APPEND_ALL}'s parameters: one array per column. */
    private static Object[] columns(List<Entry> entries, Instant time) {
        int n = entries.size();
        UUID[] ids = new UUID[n];
        String[] topics = new String[n];
        String[] keys = new String[n];
        String[] types = new String[n];
        OffsetDateTime[] times = new OffsetDateTime[n];
        String[] payloads = new String[n];
        OffsetDateTime at = time.atOffset(ZoneOffset.UTC);
        for (int i = 0; i < n; i++) {
            PledgeEvent e = entries.get(i).event();
            ids[i] = entries.get(i).id();
            topics[i] = e.type().topic();
            keys[i] = e.key();
            types[i] = e.type().ceType();
            times[i] = at;
            payloads[i] = EventJson.toJson(e);
        }
        return new Object[] {ids, topics, keys, types, times, payloads};
    }

    private static final String APPEND_ALL = """
            INSERT INTO outbox (event_id, topic, event_key, ce_type, ce_time, payload)
            SELECT e, t, k, c, ti, p
            FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::text[])
                 WITH ORDINALITY AS u(e, t, k, c, ti, p, n)
            ORDER BY n""";

    /** A name-based UUID of the given parts, the same on every run. */
    public static UUID idOf(Object... parts) {
        StringBuilder name = new StringBuilder();
        for (Object part : parts) {
            name.append(part).append('|');
        }
        return UUID.nameUUIDFromBytes(name.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
}
