package dev.pledge.feedback.service;

import dev.pledge.consumer.EventRecord;
import dev.pledge.events.CloudEventHeaders;
import dev.pledge.events.ContactEvent;
import dev.pledge.feedback.config.FeedbackConfig;
import dev.pledge.outbox.RetainedTable;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import org.apache.kafka.common.header.Header;

/**
 * The recorded history of every contact: its contact events as they were published, in record order, for
 * the what-if replay ({@link WhatIf}). One statement per poll, in the consumer's transaction; a contact never
 * received here records nothing (as its facts).
 */
@ApplicationScoped
public class History {

    private static final String RECORD = """
            INSERT INTO fb_history (contact_id, seq, arrived_at, event_id, ce_type, event)
            SELECT c, s, a, i, t, e
            FROM unnest($1::text[], $2::bigint[], $3::timestamptz[], $4::text[], $5::text[], $6::text[])
                AS u(c, s, a, i, t, e)
            WHERE EXISTS (SELECT 1 FROM fb_contact WHERE contact_id = u.c)
            ON CONFLICT DO NOTHING""";

    /** Pruned by the shared retention job, by arrival, after {@code pledge.feedback.history-retention}. */
    @Produces
    static RetainedTable history(FeedbackConfig config) {
        return new RetainedTable("fb_history", "arrived_at", config.historyRetention());
    }

    /** Records the contact events among {@code events}. */
    static Uni<Void> record(List<EventRecord> events) {
        List<EventRecord> contact = events.stream().filter(e -> e.event() instanceof ContactEvent).toList();
        if (contact.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        int n = contact.size();
        String[] ids = new String[n], eventIds = new String[n], types = new String[n], payloads = new String[n];
        Long[] seqs = new Long[n];
        OffsetDateTime[] arrived = new OffsetDateTime[n];
        for (int i = 0; i < n; i++) {
            EventRecord e = contact.get(i);
            ids[i] = ((ContactEvent) e.event()).contactId();
            seqs[i] = e.record().offset();
            arrived[i] = arrivedAt(e).atOffset(ZoneOffset.UTC);
            eventIds[i] = e.eventId();
            types[i] = e.event().type().ceType();
            payloads[i] = e.record().value();
        }
        return Sql.update(RECORD, ids, seqs, arrived, eventIds, types, payloads).replaceWithVoid();
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
