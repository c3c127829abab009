package dev.pledge.feedback.messaging;

import dev.pledge.consumer.EventConsumer;
import dev.pledge.consumer.EventHandler;
import dev.pledge.consumer.EventRecord;
import dev.pledge.feedback.service.Facts;
import dev.pledge.feedback.service.SurveyStore;
import dev.pledge.timers.TimerEngine;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * contact-events, sla-events and escalation-events through the shared consumer: each poll in one
 * transaction as facts, then the surveys whose send time moved handed to the timer engine.
 */
@ApplicationScoped
public class EventsConsumer implements EventHandler<List<TimerEngine.Due<String>>> {
    private final EventConsumer consumer;
    private final Facts facts;
    private final SurveyStore surveys;

    public EventsConsumer(EventConsumer consumer, Facts facts, SurveyStore surveys) {
        this.consumer = consumer;
        this.facts = facts;
        this.surveys = surveys;
    }

    @Incoming("events")
    public Uni<Void> consume(ConsumerRecords<String, String> records) {
        return consumer.consume(records, this);
    }

    @Override
    public Uni<List<TimerEngine.Due<String>>> apply(List<EventRecord> events) {
        return facts.apply(events);
    }

    @Override
    public void committed(List<TimerEngine.Due<String>> moved) {
        surveys.schedule(moved);
    }
}
