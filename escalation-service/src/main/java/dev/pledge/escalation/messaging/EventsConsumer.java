package dev.pledge.escalation.messaging;

import dev.pledge.consumer.EventConsumer;
import dev.pledge.consumer.EventHandler;
import dev.pledge.consumer.EventRecord;
import dev.pledge.escalation.EscalationContact;
import dev.pledge.escalation.service.Escalations;
import dev.pledge.events.PledgeEvent;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.concurrent.Flow;
import org.eclipse.microprofile.reactive.messaging.Acknowledgment;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;

/**
 * contact-events and sla-events through the shared consumer: what arrived during the last transaction
 * in the next one, events in record order, then the contacts whose next deadline moved handed to their
 * timer engine. Events that decide nothing here never reach a transaction.
 */
@ApplicationScoped
public class EventsConsumer implements EventHandler<List<EscalationContact>> {
    private final EventConsumer consumer;
    private final Escalations escalations;

    public EventsConsumer(EventConsumer consumer, Escalations escalations) {
        this.consumer = consumer;
        this.escalations = escalations;
    }

    @Incoming("events")
    @Acknowledgment(Acknowledgment.Strategy.MANUAL)
    public Flow.Subscriber<Message<?>> consume() {
        return consumer.subscriber(this);
    }

    /** Events that decide nothing here (an SLA timer started or met, a promise made) are passed over. */
    @Override
    public boolean wants(PledgeEvent event) {
        return Escalations.decidesAnything(event);
    }

    @Override
    public Uni<List<EscalationContact>> apply(List<EventRecord> events) {
        return escalations.apply(events.stream()
                .map(e -> new Escalations.Consumed(e.eventId(), e.event(), e.partition())).toList());
    }

    @Override
    public void committed(List<EscalationContact> moved) {
        escalations.schedule(moved);
    }
}
