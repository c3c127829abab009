package dev.pledge.escalation;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pledge.events.Channel;
import dev.pledge.events.ContactEvent;
import dev.pledge.events.PledgeEvent;
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
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.MemberDescription;

/** A policy with deadlines of seconds, events written as intake and sla-service write them, escalation-events read back. */
final class EscalationTestSupport {
    static final String DATABASE = "escalation";
    static final int VERSION = 2;
    /** Only the crisis test sends contacts of this category. */
    static final String CRISIS_CATEGORY = "account-access";

    /** The default policy's escalation, complaints and crisis sections with deadlines of seconds. */
    static final String TEST_SECTIONS = """
            escalation:
              calendar: 24x7
              topLevelRepeats: 1
              reEscalateAfter: PT10S
              ladder:
                - { name: agent, acknowledgeWithin: PT8S }
                - { name: senior-agent, acknowledgeWithin: PT3S }
                - { name: supervisor, acknowledgeWithin: PT3S }
                - { name: manager, acknowledgeWithin: PT3S }
              specialists:
                - { name: legal, acknowledgeWithin: PT1H }
                - { name: complaints-team, acknowledgeWithin: PT1H }
                - { name: vip-desk, acknowledgeWithin: PT1H }
              rules:
                - name: legal-threat
                  trigger: contact-received
                  keywords: [lawyer, solicitor, legal action, court, ombudsman]
                  raiseTo: legal
                - name: angry-customer
                  trigger: contact-received
                  negativeSentiment: 4
                  raiseTo: supervisor
                - name: vip-repeat-contact
                  trigger: contact-received
                  when: { tiers: [vip] }
                  repeatContact: true
                  raiseTo: supervisor
                - name: complaint
                  trigger: contact-received
                  when: { categories: [long-hold] }
                  raiseTo: complaints-team
                - name: customer-chasing
                  trigger: customer-replied
                  customerReplies: 3
                  raiseTo: senior-agent
                - name: near-breach
                  trigger: sla-warning
                  minWarningPercent: 90
                  raiseTo: agent
                - name: breach
                  trigger: sla-breached
                  metrics: [first-response]
                  raiseTo: senior-agent
                - name: broken-promise
                  trigger: sla-breached
                  metrics: [promise]
                  raiseTo: complaints-team
                - name: complaint-deadline-missed
                  trigger: complaint-deadline-missed
                  raiseTo: manager

            complaints:
              categories: [long-hold]
              acknowledgeWithin: PT3S
              finalResponseWithin: PT1H
              brokenPromiseCategory: long-hold

            crisis:
              window: PT10S
              baselineWindow: PT1H
              factor: 3.0
              minimumCount: 20
              notify: [head-of-service, on-call-manager]

            """;

    private static boolean published;

    static synchronized void publishTestPolicy() {
        if (published) {
            return;
        }
        String text = PolicyLoader.defaultPolicyText();
        String yaml = text.substring(0, text.indexOf("escalation:\n")) + TEST_SECTIONS + text.substring(text.indexOf("feedback:\n"));
        JsonNode document = PolicyLoader.parse(yaml);
        PolicyLoader.read(document);
        try (TopicWriter writer = new TopicWriter()) {
            writer.send(new PolicyPublished(VERSION, "escalation-tests", Instant.now(), "test", document));
        }
        published = true;
    }

    static String newContactId() {
        return "c-" + UUID.randomUUID();
    }

    /** A calm contact.received of a standard customer. */
    static ContactEvent.Received received(String id, String category) {
        return received(id, "standard", "Parcel", "Where is my parcel? It was due on Tuesday.", category, null);
    }

    static ContactEvent.Received received(String id, String tier, String subject, String body, String category,
            String repeatOf) {
        Instant now = Instant.now();
        return new ContactEvent.Received(id, null, new ContactEvent.Customer("cust-" + id, "Test", null, null, tier),
                Channel.EMAIL, subject, body, category, Priority.NORMAL, null, now, now, repeatOf, null, VERSION);
    }

    static String send(PledgeEvent event) {
        try (TopicWriter writer = new TopicWriter()) {
            return writer.send(event);
        }
    }

    static void sendAll(List<? extends PledgeEvent> events) {
        try (TopicWriter writer = new TopicWriter()) {
            events.forEach(writer::send);
        }
    }

    /** escalation-events with this key, read until {@code until} holds, then for {@code settle} more. */
    static List<TopicReader.Record> escalationEvents(String key, Predicate<List<TopicReader.Record>> until,
            Duration timeout, Duration settle) {
        try (TopicReader reader = new TopicReader(Topics.ESCALATION_EVENTS)) {
            reader.readUntil(rs -> until.test(of(rs, key)), timeout);
            return of(reader.readFor(settle), key);
        }
    }

    /**
     * Records with this key, each {@code ce_id} once: delivery is at least once (a relay killed between the
     * broker's ack and deleting its outbox row publishes the row again), and consumers deduplicate on
     * {@code ce_id}; two different decisions always have different ids.
     */
    static List<TopicReader.Record> of(List<TopicReader.Record> records, String key) {
        java.util.Set<String> seen = new java.util.HashSet<>();
        return records.stream().filter(r -> key.equals(r.key()) && seen.add(r.header("ce_id"))).toList();
    }

    static long count(List<TopicReader.Record> records, String type) {
        return records.stream().filter(r -> type.equals(r.header("ce_type"))).count();
    }

    static Predicate<List<TopicReader.Record>> has(String type, int times) {
        return rs -> count(rs, type) >= times;
    }

    static List<String> types(List<TopicReader.Record> records) {
        return records.stream().map(r -> r.header("ce_type").substring("pledge.".length())).toList();
    }

    /** Waits until this many members of the escalation-service group hold partitions. */
    static void awaitMembersWithPartitions(int members) {
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(100)).until(() -> membersWithPartitions() == members);
    }

    static long membersWithPartitions() throws Exception {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafka.get().bootstrapServers());
        try (Admin admin = Admin.create(p)) {
            return admin.describeConsumerGroups(List.of("escalation-service")).all().get().get("escalation-service")
                    .members().stream().map(MemberDescription::assignment)
                    .filter(assignment -> !assignment.topicPartitions().isEmpty()).count();
        }
    }
}
