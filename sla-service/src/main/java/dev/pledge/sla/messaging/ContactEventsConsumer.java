package dev.pledge.sla.messaging;

import dev.pledge.consumer.EventConsumer;
import dev.pledge.consumer.EventHandler;
import dev.pledge.consumer.EventRecord;
import dev.pledge.events.ContactEvent;
import dev.pledge.sla.SlaTimer;
import dev.pledge.sla.service.SlaTimers;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.concurrent.Flow;
import org.eclipse.microprofile.reactive.messaging.Acknowledgment;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;

/**
 * contact-events through the shared consumer: what arrived during the last transaction in the next
 * one, in record order, then the timers they moved handed to their engine.
 */
@ApplicationScoped
public class ContactEventsConsumer implements EventHandler<List<SlaTimer>> {
    static final String CONTACT_EVENTS = "contact-events";

    private final EventConsumer consumer;
    private final SlaTimers timers;

    public ContactEventsConsumer(EventConsumer consumer, SlaTimers timers) {
        this.consumer = consumer;
        this.timers = timers;
    }

    @Incoming(CONTACT_EVENTS)
    @Acknowledgment(Acknowledgment.Strategy.MANUAL)
    public Flow.Subscriber<Message<?>> consume() {
        return consumer.subscriber(this);
    }

    @Override
    public Uni<List<SlaTimer>> apply(List<EventRecord> events) {
        return timers.apply(events.stream().filter(e -> e.event() instanceof ContactEvent)
                .map(e -> new SlaTimers.Consumed(e.eventId(), (ContactEvent) e.event(), e.partition())).toList());
    }

    @Override
    public void committed(List<SlaTimer> changed) {
        timers.schedule(changed);
    }
}
