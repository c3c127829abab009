package dev.pledge.sla.messaging;

import dev.pledge.consumer.EventConsumer;
import dev.pledge.consumer.EventHandler;
import dev.pledge.consumer.EventRecord;
import dev.pledge.events.ContactEvent;
import dev.pledge.sla.SlaTimer;
import dev.pledge.sla.service.SlaTimers;
import dev.pledge.sla.service.TimerClock;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * contact-events through the shared consumer: each poll in one transaction, events in record order
 * (one contact's events keep theirs), then the timers they moved handed to the clock.
 */
@ApplicationScoped
public class ContactEventsConsumer implements EventHandler<List<SlaTimer>> {
    static final String CONTACT_EVENTS = "contact-events";

    private final EventConsumer consumer;
    private final SlaTimers timers;
    private final TimerClock clock;

    public ContactEventsConsumer(EventConsumer consumer, SlaTimers timers, TimerClock clock) {
        this.consumer = consumer;
        this.timers = timers;
        this.clock = clock;
    }

    @Incoming(CONTACT_EVENTS)
    public Uni<Void> consume(ConsumerRecords<String, String> records) {
        return consumer.consume(records, this);
    }

    @Override
    public Uni<List<SlaTimer>> apply(List<EventRecord> events) {
        return Multi.createFrom().iterable(events)
                .onItem().transformToUniAndConcatenate(e -> e.event() instanceof ContactEvent contactEvent
                        ? timers.on(contactEvent, e.eventId(), e.partition())
                        : Uni.createFrom().item(List.<SlaTimer>of()))
                .collect().in(ArrayList::new, List::addAll);
    }

    @Override
    public void committed(List<SlaTimer> changed) {
        clock.schedule(changed);
    }
}
