package dev.pledge.sla.messaging;

import dev.pledge.consumer.EventConsumer;
import dev.pledge.consumer.EventHandler;
import dev.pledge.consumer.EventRecord;
import dev.pledge.events.ContactEvent;
import dev.pledge.sla.SlaTimer;
import dev.pledge.sla.service.SlaTimers;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Flow;
import org.eclipse.microprofile.reactive.messaging.Acknowledgment;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;

/**
 * contact-events through the shared consumer: what arrived during the last transaction in the next
 * one, events in record order (one contact's events keep theirs), then the timers they moved handed to
 * their engine.
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

    /**
     * In record order; consecutive {@code contact.received} (most of any burst) go together through
     * the set-based path, every other event one at a time after the ones before it.
     */
    @Override
    public Uni<List<SlaTimer>> apply(List<EventRecord> events) {
        List<SlaTimer> moved = new ArrayList<>();
        Uni<Void> chain = Uni.createFrom().voidItem();
        List<SlaTimers.Received> run = new ArrayList<>();
        for (EventRecord e : events) {
            if (e.event() instanceof ContactEvent.Received r) {
                run.add(new SlaTimers.Received(r, e.partition()));
                continue;
            }
            chain = received(chain, run, moved);
            run = new ArrayList<>();
            if (e.event() instanceof ContactEvent contactEvent) {
                chain = chain.chain(() -> timers.on(contactEvent, e.eventId(), e.partition()).invoke(moved::addAll))
                        .replaceWithVoid();
            }
        }
        return received(chain, run, moved).replaceWith(moved);
    }

    private Uni<Void> received(Uni<Void> chain, List<SlaTimers.Received> run, List<SlaTimer> moved) {
        return run.isEmpty() ? chain : chain.chain(() -> timers.received(run).invoke(moved::addAll)).replaceWithVoid();
    }

    @Override
    public void committed(List<SlaTimer> changed) {
        timers.schedule(changed);
    }
}
