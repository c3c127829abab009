package dev.pledge.system;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import dev.pledge.events.ContactEvent;
import dev.pledge.events.EventJson;
import dev.pledge.events.Topics;
import dev.pledge.testinfra.TestKafka;
import dev.pledge.testinfra.TestTokens;
import dev.pledge.testinfra.TopicReader;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The story table of {@code docs/outcomes.md}, run across all four services: each story is posted through
 * intake's REST as a front end and agents would, then every service is asked what it reports: the
 * contact's timers (sla-service), its escalations (escalation-service), and, over the whole period, SLA
 * compliance (sla-service) against the KPIs (feedback-service), which must give the same counts.
 *
 * <p>Targets are seconds (chat: first response 4 s, urgent chat 3 s; email 1 h), so breaches happen
 * while the test runs. Each story checks its own contact; the totals come last, over all of them.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OutcomesIT {
    static final String SLA = """
            sla:
              warnings: [50]
              pauses:
                resolution: [pending]
              rules:
                - name: urgent-chat
                  when: { channels: [chat], priorities: [urgent] }
                  firstResponse: PT3S
                  resolution: PT1H
                - name: low-chat
                  when: { channels: [chat], priorities: [low] }
                  firstResponse: PT1H
                  resolution: PT8H
                - name: chat
                  when: { channels: [chat] }
                  firstResponse: PT4S
                  nextResponse: PT4S
                  resolution: PT1H
                - name: fallback
                  firstResponse: PT1H
                  resolution: PT8H
            """;

    /** Every resolved contact is asked for CSAT a second after. */
    static final String FEEDBACK = """
            feedback:
              fatigueWindow: P30D
              surveys:
                - kind: csat
                  after: resolved
                  delay: PT1S
                  expiresAfter: PT1H
            """;

    static Stack stack;
    static Instant periodStart;
    static int version;

    @BeforeAll
    static void start() {
        periodStart = Instant.now().minusSeconds(60).truncatedTo(ChronoUnit.SECONDS);
        stack = Stack.shared();
        version = stack.publish(Stack.policyWith(SLA, FEEDBACK));
    }

    /**
     * Totals over the period, by docs/outcomes.md, once every story has run: targets (first response, next
     * response, resolution) with an outcome, met or breached, and promises kept or broken, of the contacts
     * received in it. met: in time, corrected, corrected while down, breached-then-resolved's resolution, the
     * unnamed-promise reply's first response, the reopened contact's first response and first resolution = 7; breached: late,
     * breached-then-resolved's first response, retargeted, pending, the reopened contact's unanswered next
     * response = 5; promises: two-promises (1 kept,
     * 1 broken), unnamed-promise (1 broken). Resolved once: breached-then-resolved (at first contact) and the
     * reopened one (not), so FCR 1 of 2 and reopen rate 1 of 2.
     */
    @Test
    @Order(Integer.MAX_VALUE)
    void complianceAndKpisGiveTheSameCountsForThePeriod() {
        String from = periodStart.toString();
        String to = Instant.now().plusSeconds(60).truncatedTo(ChronoUnit.SECONDS).toString();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            JsonPath sla = stack.compliance(from, to).then().statusCode(200).extract().jsonPath();
            JsonPath kpis = stack.kpis(from, to).then().statusCode(200).extract().jsonPath();
            assertThat(sla.getLong("groups[0].met")).as("met, /sla/compliance").isEqualTo(7);
            assertThat(sla.getLong("groups[0].breached")).as("breached, /sla/compliance").isEqualTo(5);
            assertThat(kpis.getLong("groups[0].slaCompliance.count")).as("met, /kpis").isEqualTo(7);
            assertThat(kpis.getLong("groups[0].slaCompliance.of")).as("met and breached, /kpis").isEqualTo(12);
            assertThat(kpis.getLong("groups[0].fcr.count")).as("resolved at first contact, /kpis").isEqualTo(1);
            assertThat(kpis.getLong("groups[0].fcr.of")).as("resolved once, /kpis").isEqualTo(2);
            assertThat(kpis.getLong("groups[0].reopenRate.count")).as("reopened, /kpis").isEqualTo(1);
            assertThat(sla.getLong("groups[0].promisesKept")).as("promises kept, /sla/compliance").isEqualTo(1);
            assertThat(sla.getLong("groups[0].promisesBroken")).as("promises broken, /sla/compliance").isEqualTo(2);
            assertThat(kpis.getLong("groups[0].promisesKept.count")).as("promises kept, /kpis").isEqualTo(1);
            assertThat(kpis.getLong("groups[0].promisesKept.of")).as("promises kept and broken, /kpis").isEqualTo(3);
        });
    }

    /**
     * Response and resolution times, median and p90, from both services: the same over the period (no whole day,
     * so /kpis reads the facts: {@code percentiles: exact}), and to within a bucket's 5 % over whole days (/kpis
     * reads its daily rollups: {@code buckets}), sub-second times included (they were one bucket, read as 0.5 s).
     */
    @Test
    @Order(Integer.MAX_VALUE)
    void complianceAndKpisGiveTheSameTimes() {
        String from = periodStart.toString();
        String to = Instant.now().plusSeconds(60).truncatedTo(ChronoUnit.SECONDS).toString();
        Instant today = Instant.now().truncatedTo(ChronoUnit.DAYS);
        String days = today.minus(Duration.ofDays(1)).toString(); // yesterday too: a run just after midnight
        String tomorrow = today.plus(Duration.ofDays(1)).toString();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            JsonPath sla = stack.compliance(from, to).then().statusCode(200).extract().jsonPath();
            JsonPath kpis = stack.kpis(from, to).then().statusCode(200).extract().jsonPath();
            assertThat(kpis.getString("percentiles")).isEqualTo("exact");
            JsonPath slaDays = stack.compliance(days, tomorrow).then().statusCode(200).extract().jsonPath();
            JsonPath kpisDays = stack.kpis(days, tomorrow).then().statusCode(200).extract().jsonPath();
            assertThat(kpisDays.getString("percentiles")).isEqualTo("buckets");
            for (String metric : List.of("firstResponse", "resolution")) {
                for (String p : List.of("median", "p90")) {
                    String figure = "groups[0]." + metric + "." + p;
                    assertThat(kpis.getString(figure)).as(metric + " " + p + ", /kpis against /sla/compliance")
                            .isNotNull().isEqualTo(sla.getString(figure));
                    long exact = Duration.parse(slaDays.getString(figure)).toMillis();
                    assertThat(Duration.parse(kpisDays.getString(figure)).toMillis())
                            .as(metric + " " + p + " over whole days, /kpis against /sla/compliance's " + exact + " ms")
                            .isBetween(Math.round(exact * 0.95) - 1, Math.round(exact * 1.05) + 1);
                }
            }
        });
    }

    /**
     * The identity of docs/outcomes.md: the versions that were in force, replayed from feedback-service's
     * recorded history over every contact of the period by the model sla-service decides with, give every outcome
     * sla-service recorded: late replies and their corrections, a retarget, pauses, a reopen, promises, a policy
     * change mid-life. (Retried for a while: a deadline that passed a moment ago may not be recorded yet.)
     */
    @Test
    @Order(Integer.MAX_VALUE)
    void replayingTheVersionsInForceReproducesEveryRecordedOutcome() {
        String from = periodStart.toString();
        String to = Instant.now().plusSeconds(60).truncatedTo(ChronoUnit.SECONDS).toString();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(3)).untilAsserted(() -> {
            JsonPath job = stack.whatIf(null, from, to);
            assertThat(job.getString("state")).isEqualTo("done");
            assertThat(job.getString("report.skippedBecause")).as("a contact the replay could not replay").isNull();
            assertThat(job.getLong("report.contacts")).as("contacts replayed").isGreaterThanOrEqualTo(13);
            assertThat(job.getLong("report.changed")).as("outcomes replayed otherwise than recorded: %s",
                    job.getList("report.rows")).isZero();
            assertThat(job.getLong("report.metCandidate")).isEqualTo(job.getLong("report.metNow"));
            assertThat(job.getLong("report.breachedCandidate")).isEqualTo(job.getLong("report.breachedNow"));
            assertThat(job.getLong("report.targetsCandidate")).isEqualTo(job.getLong("report.targetsNow"));
            // one truth: what the what-if says was recorded is what /sla/compliance says for the same period
            JsonPath sla = stack.compliance(from, to).then().statusCode(200).extract().jsonPath();
            assertThat(job.getLong("report.metNow")).as("met, what-if and /sla/compliance")
                    .isEqualTo(sla.getLong("groups[0].met"));
            assertThat(job.getLong("report.breachedNow")).as("breached, what-if and /sla/compliance")
                    .isEqualTo(sla.getLong("groups[0].breached"));
        });
    }

    /**
     * No service set a record aside: a record dead-lettered by one service is an outcome the others have and it
     * has not, so the services would disagree (a SQL error in a handler showed up here first).
     */
    @Test
    @Order(Integer.MAX_VALUE)
    void noServiceSetARecordAside() throws Exception {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafka.get().bootstrapServers());
        try (Admin admin = Admin.create(p)) {
            List<String> dlqs = admin.listTopics().names().get().stream().filter(t -> t.contains(".dlq.")).toList();
            Map<TopicPartition, OffsetSpec> ends = new HashMap<>();
            for (var d : admin.describeTopics(dlqs).allTopicNames().get().values()) {
                d.partitions().forEach(part -> ends.put(new TopicPartition(d.name(), part.partition()), OffsetSpec.latest()));
            }
            Map<String, Long> records = new HashMap<>();
            admin.listOffsets(ends).all().get().forEach((tp, info) -> records.merge(tp.topic(), info.offset(), Long::sum));
            assertThat(records).as("records dead-lettered, by topic").allSatisfy((topic, n) -> assertThat(n).isZero());
        }
    }

    /** In time: an agent replies within the target. */
    @Test
    void inTime() {
        String id = stack.contact("chat", "normal");
        stack.activity(id, Map.of("type", "agent-replied"));
        awaitTimer(id, "first-response", t -> "met".equals(t.get("state")) && Boolean.TRUE.equals(t.get("inTarget")));
        stack.escalations(id).then().statusCode(404); // nothing escalated it
    }

    /** Late: the breach fires, the reply after it is met out of target, and the breach's escalation stays. */
    @Test
    void late() {
        String id = stack.contact("chat", "normal");
        awaitTimer(id, "first-response", t -> Boolean.TRUE.equals(t.get("breached")));
        stack.activity(id, Map.of("type", "agent-replied"));
        awaitTimer(id, "first-response", t -> "met".equals(t.get("state")) && Boolean.FALSE.equals(t.get("inTarget")));
        awaitEscalations(id, e -> "open".equals(e.getString("escalations[0].state"))
                && "breach".equals(e.getString("escalations[0].rule")));
    }

    /**
     * Corrected: the reply was made in time but its record arrived after the breach fired (a front end that
     * was offline). sla-service corrects the breach; escalation-service withdraws the escalation the breach
     * alone raised; the KPIs count it met.
     */
    @Test
    void correctedByALateReply() {
        String id = stack.contact("chat", "normal");
        Instant received = Instant.parse(stack.contact(id).then().extract().path("occurredAt"));
        awaitTimer(id, "first-response", t -> Boolean.TRUE.equals(t.get("breached")));
        awaitEscalations(id, e -> "open".equals(e.getString("escalations[0].state")));
        stack.activity(id, Map.of("type", "agent-replied", "occurredAt", received.plusSeconds(1).toString()));
        awaitTimer(id, "first-response", t -> "met".equals(t.get("state")) && Boolean.TRUE.equals(t.get("inTarget"))
                && Boolean.FALSE.equals(t.get("breached")));
        awaitEscalations(id, e -> "resolved".equals(e.getString("escalations[0].state"))
                && e.getList("decisions.reason").stream().anyMatch(r -> String.valueOf(r).startsWith("breach-corrected")));
    }

    /**
     * Corrected while escalation- and feedback-service were down: when they are back, the contact's events
     * and its SLA events (started, breached, met correcting the breach) wait on two topics, and they read them
     * in whatever order the polls bring: the SLA events may come before the contact they are about. Each
     * still ends where the correction leaves it: escalation withdrawn, the target met (counted in the totals).
     */
    @Test
    void correctedWhileTheOtherServicesWereDown() throws Exception {
        stack.killConsumersOfSlaEvents();
        String id;
        try {
            id = stack.contact("chat", "normal");
            Instant received = Instant.parse(stack.contact(id).then().extract().path("occurredAt"));
            awaitTimer(id, "first-response", t -> Boolean.TRUE.equals(t.get("breached")));
            stack.activity(id, Map.of("type", "agent-replied", "occurredAt", received.plusSeconds(1).toString()));
            awaitTimer(id, "first-response", t -> "met".equals(t.get("state")) && Boolean.TRUE.equals(t.get("inTarget")));
        } finally {
            stack.startConsumersOfSlaEvents();
        }
        awaitEscalations(id, e -> "resolved".equals(e.getString("escalations[0].state"))
                && e.getList("decisions.reason").stream().anyMatch(r -> String.valueOf(r).startsWith("breach-corrected")));
    }

    /** Breached, then resolved without a reply: the first response stays breached; the resolution is met. */
    @Test
    void breachedThenResolvedUnanswered() {
        String id = stack.contact("chat", "normal");
        awaitTimer(id, "first-response", t -> Boolean.TRUE.equals(t.get("breached")));
        stack.activity(id, Map.of("type", "status-changed", "status", "resolved"));
        awaitTimer(id, "first-response", t -> "cancelled".equals(t.get("state")) && Boolean.TRUE.equals(t.get("breached"))
                && Boolean.FALSE.equals(t.get("inTarget")));
        awaitTimer(id, "resolution", t -> "met".equals(t.get("state")) && Boolean.TRUE.equals(t.get("inTarget")));
    }

    /** Retargeted after its breach: urgent (3 s) breaches, the priority is lowered (1 h), the reply is still late. */
    @Test
    void retargetedAfterItsBreach() {
        String id = stack.contact("chat", "urgent");
        awaitTimer(id, "first-response", t -> Boolean.TRUE.equals(t.get("breached")));
        stack.activity(id, Map.of("type", "updated", "priority", "low"));
        awaitTimer(id, "first-response", t -> "low-chat".equals(t.get("rule")));
        stack.activity(id, Map.of("type", "agent-replied"));
        awaitTimer(id, "first-response", t -> "met".equals(t.get("state")) && Boolean.FALSE.equals(t.get("inTarget"))
                && Boolean.TRUE.equals(t.get("breached")));
    }

    /**
     * Pending, then the customer replies: the reply clock does not pause on pending (it breaches), the
     * resolution clock does; the customer's reply opens the contact again and resumes it.
     */
    @Test
    void pendingThenTheCustomerReplies() {
        String id = stack.contact("chat", "normal");
        stack.activity(id, Map.of("type", "status-changed", "status", "pending"));
        awaitTimer(id, "resolution", t -> "paused".equals(t.get("state")));
        awaitTimer(id, "first-response", t -> Boolean.TRUE.equals(t.get("breached")));
        stack.activity(id, Map.of("type", "customer-replied"));
        assertThat(stack.contact(id).then().extract().<String>path("status")).isEqualTo("open");
        awaitTimer(id, "resolution", t -> "running".equals(t.get("state")));
    }

    /** Two promises made at the same instant: one kept, one broken, each its own outcome. */
    @Test
    void twoPromisesOneKeptOneBroken() {
        String id = stack.contact("email", "normal");
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        String due = now.plusSeconds(3).toString();
        stack.activity(id, Map.of("type", "promised", "what", "Call back", "due", due, "occurredAt", now.toString()));
        stack.activity(id, Map.of("type", "promised", "what", "Send the label", "due", due, "occurredAt", now.toString()));
        stack.activity(id, Map.of("type", "promise-kept", "promise", 1));
        awaitPromise(id, 1, t -> "met".equals(t.get("state")) && Boolean.TRUE.equals(t.get("inTarget")));
        awaitPromise(id, 2, t -> Boolean.TRUE.equals(t.get("breached")));
        awaitEscalations(id, e -> "complaints-team".equals(e.getString("escalations[0].team")));
    }

    /** An agent reply keeps only the promises it names: this one names none, so the promise breaks. */
    @Test
    void aReplyKeepsNoPromiseItDoesNotName() {
        String id = stack.contact("email", "normal");
        stack.activity(id, Map.of("type", "promised", "what", "Call back", "due", Instant.now().plusSeconds(3).toString()));
        stack.activity(id, Map.of("type", "agent-replied"));
        awaitTimer(id, "first-response", t -> "met".equals(t.get("state")) && Boolean.TRUE.equals(t.get("inTarget")));
        awaitPromise(id, 1, t -> Boolean.TRUE.equals(t.get("breached")));
        stack.activity(id, Map.of("type", "agent-replied", "keeps", List.of(2)), null).then().statusCode(422);
    }

    /** A retried activity (ten at once, one key) makes one promise; the key with another body is 422. */
    @Test
    void aRetriedActivityHappensOnce() {
        String id = stack.contact("email", "normal");
        Map<String, Object> body = Map.of("type", "promised", "what", "Refund", "due",
                Instant.now().plus(Duration.ofDays(1)).truncatedTo(ChronoUnit.SECONDS).toString());
        List<CompletableFuture<Integer>> tries = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            tries.add(CompletableFuture.supplyAsync(() -> stack.activity(id, body, "retry-" + id).statusCode()));
        }
        assertThat(tries.stream().map(CompletableFuture::join)).containsOnly(200);
        assertThat(stack.contact(id).then().extract().<Integer>path("promises")).isEqualTo(1);
        Response reused = stack.activity(id, Map.of("type", "customer-replied"), "retry-" + id);
        reused.then().statusCode(422).contentType("application/problem+json");
        assertThat(reused.jsonPath().getString("errors[0].field")).isEqualTo("Idempotency-Key");
        Response early = stack.activity(id, Map.of("type", "customer-replied", "occurredAt", "2000-01-01T00:00:00Z"), null);
        early.then().statusCode(422).contentType("application/problem+json");
        assertThat(early.jsonPath().getString("errors[0].field")).isEqualTo("occurredAt");
        awaitTimer(id, "promise", t -> "running".equals(t.get("state")));
        assertThat(stack.timers(id).jsonPath().getList("findAll { it.metric == 'promise' }")).hasSize(1);
    }

    /**
     * Reopened by the customer's reply: a reply on a resolved contact reopens it; the resolution met stands
     * and a new resolution target runs, as does a next-response target for the reply (nobody answers it: it
     * breaches 4 s later); the survey sent on the resolution is withdrawn (its answer is 410); the reopen counts
     * in the reopen rate.
     */
    @Test
    void reopenedByTheCustomersReply() {
        String id = stack.contact("chat", "normal");
        stack.activity(id, Map.of("type", "agent-replied"));
        stack.activity(id, Map.of("type", "status-changed", "status", "resolved"));
        awaitTimer(id, "resolution", t -> "met".equals(t.get("state")) && Boolean.TRUE.equals(t.get("inTarget")));
        String token;
        try (TopicReader reader = new TopicReader(Topics.FEEDBACK_EVENTS)) {
            token = reader.readUntil(rs -> rs.stream().anyMatch(r -> id.equals(r.key())), Duration.ofSeconds(20)).stream()
                    .filter(r -> id.equals(r.key()) && "pledge.survey.requested".equals(r.header("ce_type")))
                    .map(r -> EventJson.fromJson(r.value(), dev.pledge.events.FeedbackEvent.SurveyRequested.class))
                    .findFirst().orElseThrow().token();
        }
        stack.activity(id, Map.of("type", "customer-replied"));
        assertThat(stack.contact(id).then().extract().<String>path("status")).isEqualTo("reopened");
        awaitTimer(id, "resolution", t -> Integer.valueOf(2).equals(t.get("cycle")) && "running".equals(t.get("state")));
        awaitTimer(id, "next-response", t -> "running".equals(t.get("state")));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> stack.answer(token, 5).then().statusCode(410));
    }

    /**
     * A front end reads back the contacts it sent, in intake and in sla-service, and no other front end's:
     * those are 404, as contacts that do not exist; an analyst reads a contact without personal data.
     */
    @Test
    void aFrontEndSeesOnlyWhatItSent() {
        String id = stack.contact("email", "normal");
        String sender = TestTokens.forRoles("intake");
        String other = TestTokens.forSubject("another-front-end", TestTokens.AUDIENCE, "intake");
        given().auth().oauth2(sender).get(stack.intake.url() + "/contacts/" + id).then().statusCode(200)
                .body("customer.name", equalTo("Ada")).body("body", equalTo("A question about my order"));
        given().auth().oauth2(other).get(stack.intake.url() + "/contacts/" + id).then().statusCode(404);
        given().auth().oauth2(other).contentType("application/json").body(Map.of("type", "customer-replied"))
                .post(stack.intake.url() + "/contacts/" + id + "/activities").then().statusCode(404);
        given().auth().oauth2(TestTokens.forRoles("analyst")).get(stack.intake.url() + "/contacts/" + id).then()
                .statusCode(200).body("customer.name", nullValue()).body("body", nullValue())
                .body("category", equalTo("other"));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> given().auth().oauth2(sender)
                .get(stack.sla.url() + "/contacts/" + id + "/sla").then().statusCode(200));
        given().auth().oauth2(other).get(stack.sla.url() + "/contacts/" + id + "/sla").then().statusCode(404);
    }

    /**
     * A policy change mid-life: a reassignment keeps the contact's version (nothing is re-chosen); a change
     * of priority re-chooses under the version now in force, and the event says which.
     */
    @Test
    void aPolicyChangeMidLife() {
        String id = stack.contact("email", "normal");
        awaitTimer(id, "first-response", t -> Integer.valueOf(version).equals(t.get("policyVersion")));
        int next = stack.publish(Stack.policyWith(SLA.replace("- name: fallback\n      firstResponse: PT1H",
                "- name: fallback\n      firstResponse: PT2H"), FEEDBACK));
        stack.activity(id, Map.of("type", "updated", "assignee", "agent-9"));
        stack.activity(id, Map.of("type", "updated", "priority", "high"));
        try (TopicReader reader = new TopicReader(Topics.CONTACT_EVENTS)) {
            List<TopicReader.Record> records = reader.readUntil(rs -> rs.stream().filter(r -> id.equals(r.key()))
                    .filter(r -> "pledge.contact.updated".equals(r.header("ce_type"))).count() == 2, Duration.ofSeconds(20));
            List<ContactEvent.Updated> updates = records.stream().filter(r -> id.equals(r.key()))
                    .filter(r -> "pledge.contact.updated".equals(r.header("ce_type")))
                    .map(r -> EventJson.fromJson(r.value(), ContactEvent.Updated.class)).toList();
            assertThat(updates).extracting(ContactEvent.Updated::policyVersion).containsExactly(version, next);
        }
        awaitTimer(id, "first-response", t -> Integer.valueOf(next).equals(t.get("policyVersion"))
                && "PT2H".equals(t.get("target")));
    }

    private static void awaitTimer(String id, String metric, Predicate<Map<String, Object>> condition) {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
            List<Map<String, Object>> timers = stack.timers(id).then().statusCode(200).extract().jsonPath().getList("$");
            assertThat(timers).as("%s timers of %s", metric, id).anyMatch(t -> metric.equals(t.get("metric")) && condition.test(t));
        });
    }

    private static void awaitPromise(String id, int promise, Predicate<Map<String, Object>> condition) {
        awaitTimer(id, "promise", t -> Integer.valueOf(promise).equals(t.get("cycle")) && condition.test(t));
    }

    private static void awaitEscalations(String id, Predicate<JsonPath> condition) {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
            JsonPath e = stack.escalations(id).then().statusCode(200).extract().jsonPath();
            assertThat(condition.test(e)).as("escalations of %s: %s", id, e.prettify()).isTrue();
        });
    }
}
