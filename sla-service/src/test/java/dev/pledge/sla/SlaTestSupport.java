package dev.pledge.sla;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pledge.events.Channel;
import dev.pledge.events.ContactEvent;
import dev.pledge.events.PolicyPublished;
import dev.pledge.events.Priority;
import dev.pledge.events.Topics;
import dev.pledge.policy.PolicyLoader;
import dev.pledge.testinfra.TopicReader;
import dev.pledge.testinfra.TopicWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.function.Predicate;

/** A policy with targets of seconds, contacts written as intake writes them, sla-events read back. */
final class SlaTestSupport {
    static final String DATABASE = "sla";

    /** The default policy with the SLA section replaced by short targets. */
    static final String TEST_SLA = """
            sla:
              pauseStatuses: [pending]
              warnings: [50, 75]
              rules:
                - name: chat-fast
                  when: { channels: [chat] }
                  firstResponse: PT4S
                  nextResponse: PT4S
                  resolution: PT2M
                - name: email-office
                  when: { channels: [email] }
                  calendar: office
                  firstResponse: PT4H
                  resolution: PT40H
                - name: sms-restart
                  when: { channels: [sms] }
                  firstResponse: PT15S
                - name: fallback
                  firstResponse: PT1H
                  resolution: PT8H

            """;

    private static boolean published;

    /** Publishes the test policy as version 2, once per test JVM, before any sla-service starts. */
    static synchronized void publishTestPolicy() {
        if (published) {
            return;
        }
        String text = PolicyLoader.defaultPolicyText();
        String yaml = text.substring(0, text.indexOf("sla:\n")) + TEST_SLA + text.substring(text.indexOf("classification:\n"));
        JsonNode document = PolicyLoader.parse(yaml);
        PolicyLoader.read(document);
        try (TopicWriter writer = new TopicWriter()) {
            writer.send(new PolicyPublished(2, "sla-tests", Instant.now(), "test", document));
        }
        published = true;
    }

    static String newContactId() {
        return "c-" + UUID.randomUUID();
    }

    static ContactEvent.Received received(String id, Channel channel, Instant at) {
        return new ContactEvent.Received(id, null, new ContactEvent.Customer("cust-" + id, "Test", null, null,
                "standard"), channel, "Help", "Where is my parcel?", "delivery", Priority.NORMAL, null, at, at, null,
                null, 2);
    }

    static void send(ContactEvent... events) {
        try (TopicWriter writer = new TopicWriter()) {
            for (ContactEvent e : events) {
                writer.send(e);
            }
        }
    }

    /** sla-events of one contact, read until {@code until} holds, then for {@code settle} more. */
    static List<TopicReader.Record> slaEvents(String contactId, Predicate<List<TopicReader.Record>> until,
            Duration timeout, Duration settle) {
        try (TopicReader reader = new TopicReader(Topics.SLA_EVENTS)) {
            reader.readUntil(rs -> until.test(of(rs, contactId)), timeout);
            return of(reader.readFor(settle), contactId);
        }
    }

    static List<TopicReader.Record> of(List<TopicReader.Record> records, String contactId) {
        return records.stream().filter(r -> contactId.equals(r.key())).toList();
    }

    static long count(List<TopicReader.Record> records, String type, String metric) {
        return records.stream().filter(r -> type.equals(r.header("ce_type")) && r.value().contains(
                "\"metric\":\"" + metric + "\"")).count();
    }

    static Predicate<List<TopicReader.Record>> has(String type, String metric) {
        return rs -> count(rs, type, metric) > 0;
    }

    private SlaTestSupport() {
    }
}
