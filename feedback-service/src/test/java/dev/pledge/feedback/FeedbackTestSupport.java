package dev.pledge.feedback;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pledge.events.Channel;
import dev.pledge.events.ContactEvent;
import dev.pledge.events.ContactStatus;
import dev.pledge.events.PledgeEvent;
import dev.pledge.events.PolicyPublished;
import dev.pledge.events.Priority;
import dev.pledge.feedback.service.SurveyTokens;
import dev.pledge.policy.PolicyLoader;
import dev.pledge.testinfra.ServiceProcess;
import dev.pledge.testinfra.TestKafka;
import dev.pledge.testinfra.TopicReader;
import dev.pledge.testinfra.TopicWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.MemberDescription;

/**
 * A policy with one 24x7 SLA rule, a CSAT survey 2 s after resolution, and a CES survey 8 s after the
 * resolution of an SMS contact (for the restart test); events written as the other services write them.
 */
final class FeedbackTestSupport {
    static final String DATABASE = "feedback";
    static final int VERSION = 2;
    /** The survey-token key the tests' service runs with, so a test can sign an expired token the service accepts as its own. */
    static final String TOKEN_KEY = "ZmVlZGJhY2stdGVzdHMtc3VydmV5LXRva2VuLWtleS0zMmJ5dGVz";
    static final Map<String, String> ENV = Map.of("PLEDGE_FEEDBACK_TOKEN_KEY", TOKEN_KEY,
            "PLEDGE_FEEDBACK_INSIGHT_MINIMUM_SAMPLE", "3", "PLEDGE_FEEDBACK_ANSWERS_PER_MINUTE", "1000",
            "PLEDGE_FEEDBACK_ROLLUP_EVERY", "1s",
            // the tests are the proxy: they name the client in X-Forwarded-For, as an ingress would
            "PLEDGE_FEEDBACK_TRUSTED_PROXIES", "127.0.0.1,::1");

    /** SLA: one rule, 24x7, first response 10 min, resolution 1 h; feedback: CSAT 2 s after resolution. */
    static final String TEST_SECTIONS = """
            sla:
              warnings: [75]
              rules:
                - name: everything
                  calendar: 24x7
                  firstResponse: PT10M
                  resolution: PT1H
            """;
    static final String FEEDBACK = """
            feedback:
              fatigueWindow: P30D
              surveys:
                - kind: ces
                  after: resolved
                  channels: [sms]
                  delay: PT8S
                  expiresAfter: PT1H
                - kind: csat
                  after: resolved
                  delay: PT2S
                  expiresAfter: PT1H
              targets:
                csat: 85
                fcr: 75
                slaCompliance: 95
            """;

    private static boolean published;
    private static ServiceProcess shared;

    /**
     * One feedback-service for the test classes that need one running (a JVM start is ~15 s): started on
     * first use, stopped when the test JVM ends or a test that starts its own asks for it.
     */
    static synchronized ServiceProcess sharedService() {
        if (shared == null) {
            publishTestPolicy();
            shared = ServiceProcess.start(DATABASE, ENV);
            awaitMembersWithPartitions(1);
            Runtime.getRuntime().addShutdownHook(new Thread(FeedbackTestSupport::stopSharedService));
        }
        return shared;
    }

    static synchronized void stopSharedService() {
        if (shared != null) {
            shared.close();
            shared = null;
        }
    }

    /** The default policy with the sections above in place of its own. */
    static String testPolicyText() {
        String text = PolicyLoader.defaultPolicyText();
        String head = text.substring(0, text.indexOf("sla:\n"));
        String middle = text.substring(text.indexOf("classification:\n"), text.indexOf("feedback:\n"));
        return head + TEST_SECTIONS + "\n" + middle + FEEDBACK;
    }

    static synchronized void publishTestPolicy() {
        if (published) {
            return;
        }
        JsonNode document = PolicyLoader.parse(testPolicyText());
        PolicyLoader.read(document);
        try (TopicWriter writer = new TopicWriter()) {
            writer.send(new PolicyPublished(VERSION, "feedback-tests", Instant.now(), "test", document));
        }
        published = true;
    }

    static String newContactId() {
        return "c-" + UUID.randomUUID();
    }

    static ContactEvent.Received received(String id, String customer, Channel channel, Instant at) {
        return received(id, customer, channel, at, null, "delivery");
    }

    static ContactEvent.Received received(String id, String customer, Channel channel, Instant at, String repeatOf,
            String category) {
        return new ContactEvent.Received(id, null, new ContactEvent.Customer(customer, "Test", null, null, "standard"),
                channel, "Parcel", "Where is my parcel?", category, Priority.NORMAL, null, at, at, repeatOf, null, VERSION);
    }

    static ContactEvent.StatusChanged status(String id, ContactStatus from, ContactStatus to, Instant at) {
        return new ContactEvent.StatusChanged(id, from, to, "agent-1", at);
    }

    static void sendAll(List<? extends PledgeEvent> events) {
        try (TopicWriter writer = new TopicWriter()) {
            events.forEach(writer::send);
        }
    }

    /** Records with this key, each ce_id once (delivery is at least once). */
    static List<TopicReader.Record> of(List<TopicReader.Record> records, String key) {
        Set<String> seen = new HashSet<>();
        return records.stream().filter(r -> key.equals(r.key()) && seen.add(r.header("ce_id"))).toList();
    }

    static long count(List<TopicReader.Record> records, String type) {
        return records.stream().filter(r -> type.equals(r.header("ce_type"))).count();
    }

    /** A token signed with the service's key: what the service itself would issue. */
    static SurveyTokens tokens() {
        return dev.pledge.feedback.service.SurveyTokensTest.tokens(TOKEN_KEY);
    }

    /** Waits until this many members of the feedback-service group hold partitions. */
    static void awaitMembersWithPartitions(int members) {
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(100)).until(() -> membersWithPartitions() == members);
    }

    static long membersWithPartitions() throws Exception {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafka.get().bootstrapServers());
        try (Admin admin = Admin.create(p)) {
            return admin.describeConsumerGroups(List.of("feedback-service")).all().get().get("feedback-service")
                    .members().stream().map(MemberDescription::assignment)
                    .filter(assignment -> !assignment.topicPartitions().isEmpty()).count();
        }
    }

    /** A random day between 2020 and 2025 at 09:00 UTC: each test's contacts in a period of their own. */
    static Instant isolatedDay() {
        return Instant.parse("2020-01-06T09:00:00Z").plus(Duration.ofDays(new java.util.Random().nextInt(2000)));
    }
}
