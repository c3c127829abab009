package dev.pledge.sla;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pledge.events.Channel;
import dev.pledge.events.ContactEvent;
import dev.pledge.events.PolicyPublished;
import dev.pledge.events.Priority;
import dev.pledge.events.Topics;
import dev.pledge.policy.PolicyLoader;
import dev.pledge.testinfra.TestKafka;
import dev.pledge.testinfra.TopicReader;
import dev.pledge.testinfra.TopicWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
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
                - name: social-shared
                  when: { channels: [social] }
                  firstResponse: PT12S
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
        publishPolicy(2, TEST_SLA);
        published = true;
    }

    /** Publishes the default policy with its SLA section replaced, as the given version. */
    static void publishPolicy(int version, String slaSection) {
        String text = PolicyLoader.defaultPolicyText();
        String yaml = text.substring(0, text.indexOf("sla:\n")) + slaSection + text.substring(text.indexOf("classification:\n"));
        JsonNode document = PolicyLoader.parse(yaml);
        PolicyLoader.read(document);
        try (TopicWriter writer = new TopicWriter()) {
            writer.send(new PolicyPublished(version, "sla-tests", Instant.now(), "test", document));
        }
    }

    static String newContactId() {
        return "c-" + UUID.randomUUID();
    }

    static ContactEvent.Received received(String id, Channel channel, Instant at) {
        return received(id, channel, at, "delivery", 2);
    }

    /** A contact.received on a category, decided under a policy version. */
    static ContactEvent.Received received(String id, Channel channel, Instant at, String category, int policyVersion) {
        return new ContactEvent.Received(id, null, new ContactEvent.Customer("cust-" + id, "Test", null, null,
                "standard"), channel, "Help", "Where is my parcel?", category, Priority.NORMAL, null, at, at, null,
                null, policyVersion);
    }

    /** Records sla-service set aside, read until one for each of these contacts is there. */
    static List<TopicReader.Record> deadLetters(Duration timeout, String... contactIds) {
        try (TopicReader dlq = new TopicReader(Topics.deadLetter(Topics.CONTACT_EVENTS, "sla-service"))) {
            return dlq.readUntil(rs -> java.util.Arrays.stream(contactIds)
                    .allMatch(id -> rs.stream().anyMatch(r -> id.equals(r.key()))), timeout);
        }
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

    /**
     * Waits until this many members of the sla-service group hold partitions: events are consumed at
     * once. A member killed by an earlier test holds its partitions until its session times out (45 s).
     */
    static void awaitMembersWithPartitions(int members) {
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(100)).until(() -> membersWithPartitions() == members);
    }

    static long membersWithPartitions() throws Exception {
        return membersWithPartitions("sla-service");
    }

    static long membersWithPartitions(String groupId) throws Exception {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafka.get().bootstrapServers());
        try (Admin admin = Admin.create(p)) {
            ConsumerGroupDescription group = admin.describeConsumerGroups(List.of(groupId)).all().get()
                    .get(groupId);
            return group.members().stream().map(MemberDescription::assignment)
                    .filter(assignment -> !assignment.topicPartitions().isEmpty()).count();
        }
    }

    private SlaTestSupport() {
    }
}
