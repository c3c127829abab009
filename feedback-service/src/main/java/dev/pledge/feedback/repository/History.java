package dev.pledge.feedback.repository;

import dev.pledge.feedback.config.FeedbackConfig;
import dev.pledge.persistence.BulkInsert;
import dev.pledge.persistence.RetainedTable;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import java.time.Instant;
import java.util.List;

/**
 * The recorded history of every contact: its contact events as they were published, in record order, for
 * the what-if replay ({@code WhatIf}). One statement per poll, in the consumer's transaction; a contact never
 * received here records nothing (as its facts).
 */
@ApplicationScoped
public class History {

    /** A contact event as it arrived: its contact, offset, {@code ce_time}, {@code ce_id}, type and JSON as published. */
    public record Arrived(String contactId, long seq, Instant at, String eventId, String ceType, String json) {
    }

    private static final BulkInsert<Arrived> RECORD = BulkInsert.<Arrived>into("fb_history")
            .text("contact_id", Arrived::contactId).bigint("seq", Arrived::seq).time("arrived_at", Arrived::at)
            .text("event_id", Arrived::eventId).text("ce_type", Arrived::ceType).text("event", Arrived::json)
            .where("EXISTS (SELECT 1 FROM fb_contact WHERE contact_id = u.contact_id)").then("ON CONFLICT DO NOTHING");

    /** Pruned by the shared retention job, by arrival, after {@code pledge.feedback.history-retention}. */
    @Produces
    static RetainedTable history(FeedbackConfig config) {
        return new RetainedTable("fb_history", "arrived_at", config.historyRetention());
    }

    /** Records these contact events (one statement; those of a contact never received here are left out). */
    public static Uni<Void> record(List<Arrived> events) {
        return RECORD.run(events).replaceWithVoid();
    }
}
