package dev.pledge.outbox;

import dev.pledge.events.EventJson;
import dev.pledge.events.PledgeEvent;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.UUID;

/**
 * Appends events to the outbox inside the caller's transaction; {@link OutboxRelay} publishes them
 * after commit. Call {@link OutboxRelay#wake()} once the transaction has committed.
 */
@ApplicationScoped
public class Outbox {

    /** Appends an event with a fresh id. */
    public Uni<OutboxEvent> append(PledgeEvent event, Instant time) {
        return append(event, time, UUID.randomUUID());
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

    /** A name-based UUID of the given parts, the same on every run. */
    public static UUID idOf(Object... parts) {
        StringBuilder name = new StringBuilder();
        for (Object part : parts) {
            name.append(part).append('|');
        }
        return UUID.nameUUIDFromBytes(name.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
}
