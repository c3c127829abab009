package dev.pledge.consumer;

import dev.pledge.events.PledgeEvent;
import io.smallrye.mutiny.Uni;
import java.util.List;

/**
 * What a service does with the events it consumes; {@link EventConsumer} does the rest (reading,
 * deduplication, transactions, isolation of a failing record, dead letters, offsets).
 *
 * @param <R> what the handler passes from its transaction to {@link #committed}, e.g. timers to schedule
 */
public interface EventHandler<R> {

    /**
     * Applies events, in record order, inside the consumer's transaction (use the Panache session;
     * write outbox rows through {@code Outbox}). Only events not applied before are passed. A failure
     * rolls the whole call back; the consumer then retries or isolates the failing event.
     */
    Uni<R> apply(List<EventRecord> events);

    /**
     * Whether an event can change anything here. One that cannot is passed over as its poll is read: it
     * takes no transaction and its {@code ce_id} is not recorded (a redelivery of it changes nothing either);
     * {@code pledge_consumer_events_total{outcome="passed-over"}} counts it. Called on the connector's
     * thread: a pure function of the event. By default every event is applied.
     */
    default boolean wants(PledgeEvent event) {
        return true;
    }

    /** After the transaction of {@link #apply} committed: work that must see committed state. */
    default void committed(R result) {
    }
}
