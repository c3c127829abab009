package dev.pledge.feedback.service;

import dev.pledge.consumer.EventRecord;
import dev.pledge.events.CloudEventHeaders;
import dev.pledge.events.ContactEvent;
import dev.pledge.feedback.config.FeedbackConfig;
import dev.pledge.persistence.BulkInsert;
import dev.pledge.persistence.RetainedTable;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.common.header.Header;

/**
 * The recorded history of every contact: its contact events as they were published, in record order, for
 * the what-if replay ({@link WhatIf}). One statement per poll, in the consumer's transaction; a contact never
 * received here records nothing (as its facts).
 */
@ApplicationScoped
public class History {

    private static final BulkInsert<EventRecord> RECORD = BulkInsert.<EventRecord>into("fb_history")
            .text("contact_id", e -> ((ContactEvent) e.event()).contactId()).bigint("seq", e -> e.record().offset())
            .time("arrived_at", History::arrivedAt).text("event_id", EventRecord::eventId)
            .text("ce_type", e -> e.event().type().ceType()).text("event", e -> e.record().value())
            .where("EXISTS (SELECT 1 FROM fb_contact WHERE contact_id = u.contact_id)").then("ON CONFLICT DO NOTHING");

    /** Pruned by the shared retention job, by arrival, after {@code pledge.feedback.history-retention}. */
    @Produces
    static RetainedTable history(FeedbackConfig config) {
        return new RetainedTable("fb_history", "arrived_at", config.historyRetention());
    }

    /** Records the contact events among {@code events}. */
    static Uni<Void> record(List<EventRecord> events) {
        List<EventRecord> contact = events.stream().filter(e -> e.event() instanceof ContactEvent).toList();
        return RECORD.run(contact).replaceWithVoid();
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
}
