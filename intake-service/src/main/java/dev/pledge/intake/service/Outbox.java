package dev.pledge.intake.service;

import dev.pledge.events.EventJson;
import dev.pledge.events.PledgeEvent;
import dev.pledge.intake.OutboxEvent;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.UUID;

/** Appends events to the outbox inside the caller's transaction; {@link OutboxRelay} publishes them. */
@ApplicationScoped
public class Outbox {

    public Uni<OutboxEvent> append(PledgeEvent event, Instant time) {
        OutboxEvent row = new OutboxEvent();
        row.eventId = UUID.randomUUID();
        row.topic = event.type().topic();
        row.eventKey = event.key();
        row.ceType = event.type().ceType();
        row.ceTime = time;
        row.payload = EventJson.toJson(event);
        return Panache.getSession().flatMap(s -> s.persist(row)).replaceWith(row);
    }
}
