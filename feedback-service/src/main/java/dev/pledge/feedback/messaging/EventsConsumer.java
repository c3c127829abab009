package dev.pledge.feedback.messaging;

import dev.pledge.consumer.EventConsumer;
import dev.pledge.consumer.EventHandler;
import dev.pledge.consumer.EventRecord;
import dev.pledge.events.CloudEventHeaders;
import dev.pledge.feedback.service.Facts;
import dev.pledge.feedback.service.Surveys;
import dev.pledge.timers.TimerEngine;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Flow;
import org.apache.kafka.common.header.Header;
import org.eclipse.microprofile.reactive.messaging.Acknowledgment;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;

/**
 * contact-events, sla-events and escalation-events through the shared consumer: what arrived during
 * the last transaction in the next one, as facts, then the surveys whose send time moved handed to the
 * timer engine.
 */
@ApplicationScoped
public class EventsConsumer implements EventHandler<List<TimerEngine.Due<String>>> {
    private final EventConsumer consumer;
    private final Facts facts;
    private final Surveys surveys;

    public EventsConsumer(EventConsumer consumer, Facts facts, Surveys surveys) {
        this.consumer = consumer;
        this.facts = facts;
        this.surveys = surveys;
    }

    @Incoming("events")
    @Acknowledgment(Acknowledgment.Strategy.MANUAL)
    public Flow.Subscriber<Message<?>> consume() {
        return consumer.subscriber(this);
    }

    @Override
    public Uni<List<TimerEngine.Due<String>>> apply(List<EventRecord> events) {
        return facts.apply(events.stream().map(e -> new Facts.Consumed(e.eventId(), e.event(), e.partition(),
                e.record().offset(), arrivedAt(e), e.record().value())).toList());
    }

    /** When intake accepted the event: its {@code ce_time}, else the record's timestamp. */
    static Instant arrivedAt(EventRecord e) {
        Header time = e.record().headers().lastHeader(CloudEventHeaders.TIME);
        if (time != null) {
            try {
                return Instant.parse(new String(time.value(), StandardCharsets.UTF_8));
            } catch (RuntimeException unreadable) {
                // fall through: the broker's timestamp is the next best
            }
        }
        return Instant.ofEpochMilli(e.record().timestamp());
    }

    @Override
    public void committed(List<TimerEngine.Due<String>> moved) {
        surveys.schedule(moved);
    }
}
