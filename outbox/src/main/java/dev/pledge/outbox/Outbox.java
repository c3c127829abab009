package dev.pledge.outbox;

import dev.pledge.events.EventJson;
import dev.pledge.events.Ids;
import dev.pledge.events.PledgeEvent;
import dev.pledge.persistence.BulkInsert;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlClient;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * Appends events to the outbox inside the caller's transaction; {@link OutboxRelay} publishes them
 * after commit. Run the transaction through {@link UnitOfWork}, which wakes the relay once it committed.
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
        return APPEND_ALL.run(rows(entries, time)).replaceWithVoid();
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
        return client.preparedQuery(APPEND_ALL.sql()).execute(APPEND_ALL.tuple(rows(entries, time))).replaceWithVoid();
    }

    /** Rows get {@code seq} in list order, so the relay publishes them in that order. */
    private static final BulkInsert<Row> APPEND_ALL = BulkInsert.<Row>into("outbox")
            .uuid("event_id", Row::id).text("topic", r -> r.event().type().topic()).text("event_key", r -> r.event().key())
            .text("ce_type", r -> r.event().type().ceType()).time("ce_time", Row::time).text("payload", Row::payload)
            .inOrder();

    private record Row(PledgeEvent event, UUID id, Instant time, String payload) {
    }

    private static List<Row> rows(List<Entry> entries, Instant time) {
        return entries.stream().map(e -> new Row(e.event(), e.id(), time, EventJson.toJson(e.event()))).toList();
    }

    /** A name-based UUID of the given parts, the same on every run. */
    public static UUID idOf(Object... parts) {
        StringBuilder name = new StringBuilder();
        for (Object part : parts) {
            name.append(part).append('|');
        }
        return UUID.nameUUIDFromBytes(name.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
}
