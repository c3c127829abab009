package dev.pledge.sla.messaging;

import dev.pledge.events.CloudEventHeaders;
import dev.pledge.events.ContactEvent;
import dev.pledge.events.EventJson;
import dev.pledge.events.PledgeEvent;
import dev.pledge.outbox.OutboxRelay;
import dev.pledge.sla.SlaTimer;
import dev.pledge.sla.service.PolicyVersions;
import dev.pledge.sla.service.SlaTimers;
import dev.pledge.sla.service.TimerClock;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.reactive.messaging.Channel;
import io.smallrye.reactive.messaging.MutinyEmitter;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

/**
 * Consumes contact-events in batches. Each batch is applied in one transaction with every
 * {@code ce_id} recorded, so a redelivered record changes nothing; offsets are committed only after
 * that transaction. A record that cannot be read goes to {@code contact-events.dlq.sla-service}.
 */
@ApplicationScoped
public class ContactEventsConsumer {
    static final String CONTACT_EVENTS = "contact-events";
    static final String DEAD_LETTERS = "dead-letters";
    private static final Logger LOG = Logger.getLogger(ContactEventsConsumer.class);

    private final SlaTimers timers;
    private final PolicyVersions policies;
    private final TimerClock clock;
    private final OutboxRelay relay;
    private final MutinyEmitter<String> deadLetters;

    public ContactEventsConsumer(SlaTimers timers, PolicyVersions policies, TimerClock clock, OutboxRelay relay,
            @Channel(DEAD_LETTERS) MutinyEmitter<String> deadLetters) {
        this.timers = timers;
        this.policies = policies;
        this.clock = clock;
        this.relay = relay;
        this.deadLetters = deadLetters;
    }

    /** A contact event read from its record, with the partition that owns its timers. */
    record Parsed(String eventId, ContactEvent event, int partition) {
    }

    /**
     * A poll's worth of records in one transaction: per-event transactions made arming the slow side
     * (one commit per contact). Events apply in record order, so one contact's events keep theirs.
     */
    @Incoming(CONTACT_EVENTS)
    public Uni<Void> consume(ConsumerRecords<String, String> records) {
        List<Parsed> events = new ArrayList<>();
        List<Uni<Void>> deadLettered = new ArrayList<>();
        for (ConsumerRecord<String, String> record : records) {
            try {
                events.add(parse(record));
            } catch (RuntimeException e) {
                deadLettered.add(deadLetter(record, new IllegalArgumentException("cannot read "
                        + header(record, CloudEventHeaders.TYPE) + ": " + e.getMessage(), e)));
            }
        }
        Uni<Void> dead = deadLettered.isEmpty() ? Uni.createFrom().voidItem()
                : Uni.join().all(deadLettered).andFailFast().replaceWithVoid();
        if (events.isEmpty()) {
            return dead;
        }
        return dead.chain(policies::caughtUp)
                .chain(() -> Panache.withTransaction(() -> applyAll(events)))
                .onFailure().retry().withBackOff(Duration.ofMillis(200), Duration.ofSeconds(5)).atMost(8)
                .invoke(changed -> {
                    relay.wake();
                    clock.schedule(changed);
                })
                .replaceWithVoid();
    }

    private Uni<List<SlaTimer>> applyAll(List<Parsed> events) {
        return Multi.createFrom().iterable(events)
                .onItem().transformToUniAndConcatenate(p -> firstTime(p.eventId()).flatMap(first -> first
                        ? timers.on(p.event(), p.eventId(), p.partition())
                        : Uni.createFrom().item(List.<SlaTimer>of())))
                .collect().in(ArrayList::new, List::addAll);
    }

    private static Parsed parse(ConsumerRecord<String, String> record) {
        String eventId = header(record, CloudEventHeaders.ID);
        if (eventId == null) {
            throw new IllegalArgumentException("no ce_id header");
        }
        PledgeEvent parsed = EventJson.fromJson(header(record, CloudEventHeaders.TYPE),
                record.value() == null ? new byte[0] : record.value().getBytes(StandardCharsets.UTF_8));
        if (!(parsed instanceof ContactEvent contactEvent)) {
            throw new IllegalArgumentException("not a contact event: " + parsed.type().ceType());
        }
        return new Parsed(eventId, contactEvent, record.partition());
    }

    /** Records the event id; false when it was consumed before. */
    private static Uni<Boolean> firstTime(String eventId) {
        return Panache.getSession().flatMap(s -> s.createNativeQuery(
                        "INSERT INTO consumed_event (event_id, consumed_at) VALUES (?1, now()) ON CONFLICT DO NOTHING")
                .setParameter(1, eventId).executeUpdate()).map(n -> n == 1);
    }

    private Uni<Void> deadLetter(ConsumerRecord<String, String> record, RuntimeException reason) {
        LOG.warnf("sending %s-%d@%d to the dead-letter topic: %s", record.topic(), record.partition(), record.offset(),
                reason.getMessage());
        RecordHeaders headers = new RecordHeaders();
        for (Header h : record.headers()) {
            headers.add(h);
        }
        headers.add("dead-letter-reason", String.valueOf(reason.getMessage()).getBytes(StandardCharsets.UTF_8));
        headers.add("dead-letter-topic", record.topic().getBytes(StandardCharsets.UTF_8));
        headers.add("dead-letter-partition", String.valueOf(record.partition()).getBytes(StandardCharsets.UTF_8));
        headers.add("dead-letter-offset", String.valueOf(record.offset()).getBytes(StandardCharsets.UTF_8));
        OutgoingKafkaRecordMetadata<String> metadata = OutgoingKafkaRecordMetadata.<String>builder()
                .withKey(record.key()).withHeaders(headers).build();
        return deadLetters.sendMessage(Message.of(record.value() == null ? "" : record.value()).addMetadata(metadata));
    }

    private static String header(ConsumerRecord<String, String> record, String name) {
        Header h = record.headers().lastHeader(name);
        return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }
}
