package dev.pledge.escalation;

import static dev.pledge.escalation.EscalationTestSupport.CRISIS_CATEGORY;
import static dev.pledge.escalation.EscalationTestSupport.VERSION;
import static dev.pledge.escalation.EscalationTestSupport.count;
import static dev.pledge.escalation.EscalationTestSupport.escalationEvents;
import static dev.pledge.escalation.EscalationTestSupport.has;
import static dev.pledge.escalation.EscalationTestSupport.newContactId;
import static dev.pledge.escalation.EscalationTestSupport.received;
import static dev.pledge.escalation.EscalationTestSupport.send;
import static dev.pledge.escalation.EscalationTestSupport.types;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import dev.pledge.events.ContactEvent;
import dev.pledge.events.ContactStatus;
import dev.pledge.events.EscalationEvent;
import dev.pledge.events.EventJson;
import dev.pledge.events.SlaEvent;
import dev.pledge.events.SlaMetric;
import dev.pledge.testinfra.ServiceProcess;
import dev.pledge.testinfra.TestPostgres;
import dev.pledge.testinfra.TestTokens;
import dev.pledge.testinfra.TopicReader;
import dev.pledge.testinfra.TopicWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** escalation-service as a running JVM over the real broker and database, fed events as intake and sla-service write them. */
class EscalationIT {
    static ServiceProcess service;

    @BeforeAll
    static void start() {
        EscalationTestSupport.publishTestPolicy();
        service = ServiceProcess.start(EscalationTestSupport.DATABASE, Map.of(
                "PLEDGE_ESCALATION_CRISIS_BUCKET", "PT1S",
                "PLEDGE_ESCALATION_CRISIS_CHECK_EVERY", "1s"));
        EscalationTestSupport.awaitMembersWithPartitions(1);
        // the first events a fresh JVM handles take seconds (class loading, JIT): not what tests of 8 s deadlines measure
        String warmUp = newContactId();
        send(received(warmUp, "standard", "Warm-up", "My solicitor says hello.", "billing", null));
        openEscalationOf(warmUp);
    }

    @AfterAll
    static void stop() {
        service.close();
    }

    private static <T extends dev.pledge.events.PledgeEvent> T payload(TopicReader.Record r, Class<T> type) {
        return EventJson.fromJson(r.value(), type);
    }

    private static TopicReader.Record first(List<TopicReader.Record> records, String type) {
        return records.stream().filter(r -> type.equals(r.header("ce_type"))).findFirst().orElseThrow();
    }

    @Test
    void aBreachEscalatesToTheConfiguredLevelWithTheRuleTheEventAndThePolicyVersion() {
        String id = newContactId();
        send(received(id, "delivery"));
        Instant deadline = Instant.now();
        String breachId = send(new SlaEvent.Breached(id, SlaMetric.FIRST_RESPONSE, Duration.ofMinutes(2), deadline,
                deadline, VERSION));
        List<TopicReader.Record> events = escalationEvents(id, has("pledge.escalation.raised", 1),
                Duration.ofSeconds(20), Duration.ZERO);
        EscalationEvent.Raised raised = payload(first(events, "pledge.escalation.raised"), EscalationEvent.Raised.class);
        assertThat(raised.level()).isEqualTo("senior-agent");
        assertThat(raised.team()).isNull();
        assertThat(raised.trigger()).isEqualTo("breach");
        assertThat(raised.triggerEventId()).isEqualTo(breachId);
        assertThat(raised.policyVersion()).isEqualTo(VERSION);
        assertThat(Duration.between(raised.at(), raised.ackDeadline())).isEqualTo(Duration.ofSeconds(3));
        given().auth().oauth2(TestTokens.forRoles("analyst")).get(service.url() + "/contacts/" + id + "/escalations")
                .then().statusCode(200)
                .body("escalations[0].level", equalTo("senior-agent"))
                .body("decisions[0].rule", equalTo("breach"))
                .body("decisions[0].eventId", equalTo(breachId))
                .body("decisions[0].policyVersion", equalTo(VERSION));
    }

    @Test
    void anSlaEventReadBeforeItsContactWaitsForItInsteadOfBeingLost() {
        // two topics: a consumer catching up may read sla-events ahead of contact-events
        String id = newContactId();
        String breachId = send(new SlaEvent.Breached(id, SlaMetric.FIRST_RESPONSE, Duration.ofMinutes(2), Instant.now(),
                Instant.now(), VERSION));
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> TestPostgres.get()
                .count(EscalationTestSupport.DATABASE, "SELECT count(*) FROM esc_early_event WHERE contact_id = '" + id + "'") == 1);
        send(received(id, "delivery"));
        List<TopicReader.Record> events = escalationEvents(id, has("pledge.escalation.raised", 1),
                Duration.ofSeconds(20), Duration.ZERO);
        EscalationEvent.Raised raised = payload(first(events, "pledge.escalation.raised"), EscalationEvent.Raised.class);
        assertThat(raised.trigger()).isEqualTo("breach");
        assertThat(raised.triggerEventId()).isEqualTo(breachId);
    }

    @Test
    void aBreachOfAMetricTheRuleDoesNotNameEscalatesNothing() {
        String id = newContactId();
        send(received(id, "delivery"));
        send(new SlaEvent.Breached(id, SlaMetric.RESOLUTION, Duration.ofHours(8), Instant.now(), Instant.now(), VERSION));
        List<TopicReader.Record> events = escalationEvents(id, rs -> false, Duration.ofSeconds(4), Duration.ZERO);
        assertThat(events).isEmpty();
    }

    @Test
    void anUnacknowledgedEscalationClimbsAtEachDeadlineAndIsRepeatedAtTheTopThenStops() {
        String id = newContactId();
        send(received(id, "delivery"));
        send(warning(id)); // raised to agent (8 s to acknowledge), then 3 s a rung
        List<TopicReader.Record> events = escalationEvents(id, has("pledge.escalation.level-changed", 4),
                Duration.ofSeconds(40), Duration.ofSeconds(5));
        List<EscalationEvent.LevelChanged> changes = events.stream()
                .filter(r -> "pledge.escalation.level-changed".equals(r.header("ce_type")))
                .map(r -> payload(r, EscalationEvent.LevelChanged.class)).toList();
        assertThat(changes).extracting(EscalationEvent.LevelChanged::toLevel)
                .containsExactly("senior-agent", "supervisor", "manager", "manager"); // the top once more, then no more
        EscalationEvent.Raised raised = payload(first(events, "pledge.escalation.raised"), EscalationEvent.Raised.class);
        assertThat(raised.level()).isEqualTo("agent");
        // each rung counts from the deadline that passed, and fires within a second of it
        Instant previous = raised.ackDeadline();
        for (EscalationEvent.LevelChanged change : changes) {
            assertThat(Duration.between(previous, change.at())).isBetween(Duration.ZERO, Duration.ofSeconds(1));
            assertThat(change.ackDeadline()).isEqualTo(previous.plusSeconds(3));
            previous = change.ackDeadline();
        }
    }

    @Test
    void anAcknowledgedEscalationStopsClimbingAndClimbsAgainAfterReEscalateAfterWithoutProgress() {
        String id = newContactId();
        send(received(id, "delivery"));
        send(warning(id)); // raised to agent, 8 s to acknowledge
        String escalationId = openEscalationOf(id);
        String token = TestTokens.forSubject("agent-7", TestTokens.AUDIENCE, "agent");
        given().auth().oauth2(token).post(service.url() + "/escalations/" + escalationId + "/acknowledge")
                .then().statusCode(200).body("state", equalTo("acknowledged")).body("acknowledgedBy", equalTo("agent-7"));
        Instant acknowledged = Instant.now();
        // a retry answers the same and emits nothing more
        given().auth().oauth2(token).post(service.url() + "/escalations/" + escalationId + "/acknowledge")
                .then().statusCode(200).body("state", equalTo("acknowledged"));

        List<TopicReader.Record> events = escalationEvents(id, has("pledge.escalation.level-changed", 1),
                Duration.ofSeconds(30), Duration.ZERO);
        EscalationEvent.Raised raised = payload(first(events, "pledge.escalation.raised"), EscalationEvent.Raised.class);
        assertThat(raised.ackDeadline()).as("acknowledged before its deadline").isAfter(acknowledged);
        assertThat(count(events, "pledge.escalation.acknowledged")).isEqualTo(1);
        EscalationEvent.LevelChanged climbed = payload(first(events, "pledge.escalation.level-changed"),
                EscalationEvent.LevelChanged.class);
        assertThat(climbed.at()).as("no climb at the acknowledgement deadline; one after reEscalateAfter")
                .isAfter(raised.ackDeadline().plusSeconds(1));
        assertThat(climbed.fromLevel()).isEqualTo("agent");
        assertThat(climbed.toLevel()).isEqualTo("senior-agent");
        assertThat(climbed.reason()).contains("no agent reply or status change");
        assertThat(Duration.between(acknowledged, climbed.at())).isBetween(Duration.ofSeconds(9), Duration.ofSeconds(12));
    }

    @Test
    void progressAfterAnAcknowledgementKeepsItFromClimbingAndResolvingTheContactResolvesIt() {
        String id = newContactId();
        send(received(id, "delivery"));
        send(warning(id));
        String escalationId = openEscalationOf(id);
        given().auth().oauth2(TestTokens.forRoles("supervisor"))
                .post(service.url() + "/escalations/" + escalationId + "/acknowledge").then().statusCode(200);
        for (int i = 0; i < 3; i++) { // an agent reply every 5 s: inside the 10 s re-escalation window each time
            org.awaitility.Awaitility.await().during(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(7))
                    .until(() -> "acknowledged".equals(stateOf(id)));
            send(new ContactEvent.AgentReplied(id, "agent-1", Instant.now()));
        }
        send(new ContactEvent.StatusChanged(id, ContactStatus.OPEN, ContactStatus.RESOLVED, "agent-1", Instant.now()));
        List<TopicReader.Record> events = escalationEvents(id, has("pledge.escalation.resolved", 1),
                Duration.ofSeconds(20), Duration.ofSeconds(11));
        assertThat(count(events, "pledge.escalation.level-changed")).isZero();
        assertThat(types(events)).containsExactly("escalation.raised", "escalation.acknowledged", "escalation.resolved");
        given().auth().oauth2(TestTokens.forRoles("agent"))
                .post(service.url() + "/escalations/" + escalationId + "/acknowledge")
                .then().statusCode(409).contentType("application/problem+json");
    }

    /** An SLA warning at 90 %: the near-breach rule raises it to agent. */
    private static SlaEvent.Warning warning(String id) {
        return new SlaEvent.Warning(id, SlaMetric.FIRST_RESPONSE, 90, Duration.ofMinutes(2), Duration.ofSeconds(12),
                Instant.now().plusSeconds(12), Instant.now(), VERSION);
    }

    @Test
    void aLegalThreatGoesToLegalAtOnceAndACourteousThankYouDoesNot() {
        String threat = newContactId();
        String courteous = newContactId();
        send(received(threat, "standard", "Refund", "If this is not fixed I will speak to my LAWYER.", "billing", null));
        send(received(courteous, "standard", "Thanks", "Thank you, your courteous agent sorted it out. Courtesy matters!",
                "billing", null));
        List<TopicReader.Record> events = escalationEvents(threat, has("pledge.escalation.raised", 1),
                Duration.ofSeconds(20), Duration.ZERO);
        EscalationEvent.Raised raised = payload(first(events, "pledge.escalation.raised"), EscalationEvent.Raised.class);
        assertThat(raised.team()).isEqualTo("legal");
        assertThat(raised.level()).isNull();
        assertThat(raised.trigger()).isEqualTo("legal-threat");
        assertThat(raised.reason()).contains("'lawyer'");
        assertThat(escalationEvents(courteous, rs -> false, Duration.ofSeconds(3), Duration.ZERO)).isEmpty();
    }

    @Test
    void anAngryMessageEscalatesAndANegatedOneDoesNot() {
        String angry = newContactId();
        String fine = newContactId();
        send(received(angry, "standard", "Order", "I am extremely angry. This is unacceptable!", "delivery", null));
        send(received(fine, "standard", "Order", "Not bad, not angry at all, just asking.", "delivery", null));
        List<TopicReader.Record> events = escalationEvents(angry, has("pledge.escalation.raised", 1),
                Duration.ofSeconds(20), Duration.ZERO);
        assertThat(payload(first(events, "pledge.escalation.raised"), EscalationEvent.Raised.class).trigger())
                .isEqualTo("angry-customer");
        assertThat(escalationEvents(fine, rs -> false, Duration.ofSeconds(3), Duration.ZERO)).isEmpty();
    }

    @Test
    void aVipRepeatContactEscalatesAndAStandardOneDoesNot() {
        String first = newContactId();
        String vipRepeat = newContactId();
        String standardRepeat = newContactId();
        send(received(first, "delivery"));
        send(received(vipRepeat, "vip", "Again", "Still no parcel.", "delivery", first));
        send(received(standardRepeat, "standard", "Again", "Still no parcel.", "delivery", first));
        List<TopicReader.Record> events = escalationEvents(vipRepeat, has("pledge.escalation.raised", 1),
                Duration.ofSeconds(20), Duration.ZERO);
        EscalationEvent.Raised raised = payload(first(events, "pledge.escalation.raised"), EscalationEvent.Raised.class);
        assertThat(raised.level()).isEqualTo("supervisor");
        assertThat(raised.reason()).contains(first);
        assertThat(escalationEvents(standardRepeat, rs -> false, Duration.ofSeconds(3), Duration.ZERO)).isEmpty();
    }

    @Test
    void aMissedComplaintAcknowledgementIsReportedAndEscalatesAndTheStepsAreShown() {
        String missed = newContactId();
        String kept = newContactId();
        send(received(missed, "long-hold"));
        send(received(kept, "long-hold"));
        send(new ContactEvent.AgentReplied(kept, "agent-2", Instant.now()));
        List<TopicReader.Record> events = escalationEvents(missed, has("pledge.complaint.deadline-missed", 1)
                .and(has("pledge.escalation.level-changed", 1)), Duration.ofSeconds(20), Duration.ZERO);
        EscalationEvent.ComplaintDeadlineMissed m = payload(first(events, "pledge.complaint.deadline-missed"),
                EscalationEvent.ComplaintDeadlineMissed.class);
        assertThat(m.step()).isEqualTo("acknowledgement");
        assertThat(Duration.between(m.deadline(), m.at())).isBetween(Duration.ZERO, Duration.ofSeconds(1));
        EscalationEvent.Raised raised = payload(first(events, "pledge.escalation.raised"), EscalationEvent.Raised.class);
        assertThat(raised.team()).isEqualTo("complaints-team");
        EscalationEvent.LevelChanged toManager = payload(first(events, "pledge.escalation.level-changed"),
                EscalationEvent.LevelChanged.class);
        assertThat(toManager.toLevel()).isEqualTo("manager");
        assertThat(toManager.trigger()).isEqualTo("complaint-deadline-missed");
        assertThat(toManager.team()).isEqualTo("complaints-team");

        List<TopicReader.Record> keptEvents = escalationEvents(kept, rs -> false, Duration.ofSeconds(2), Duration.ZERO);
        assertThat(count(keptEvents, "pledge.complaint.deadline-missed")).isZero();
        given().auth().oauth2(TestTokens.forRoles("supervisor")).get(service.url() + "/contacts/" + kept + "/escalations")
                .then().statusCode(200)
                .body("complaint.steps.step", hasItem("acknowledged"))
                .body("complaint.steps.find { it.step == 'acknowledged' }.at", org.hamcrest.Matchers.notNullValue())
                .body("complaint.steps.find { it.step == 'responded' }.at", org.hamcrest.Matchers.nullValue())
                .body("complaint.acknowledgementMissed", equalTo(false));
    }

    @Test
    void aBurstOfOneCategoryDeclaresOneCrisisAndClearsItAfterAQuietWindow() {
        List<ContactEvent> burst = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            burst.add(received(newContactId(), CRISIS_CATEGORY));
        }
        EscalationTestSupport.sendAll(burst);
        List<TopicReader.Record> events = escalationEvents(CRISIS_CATEGORY, has("pledge.crisis.cleared", 1),
                Duration.ofSeconds(60), Duration.ofSeconds(2));
        assertThat(types(events)).containsExactly("crisis.declared", "crisis.cleared");
        EscalationEvent.CrisisDeclared declared = payload(events.get(0), EscalationEvent.CrisisDeclared.class);
        assertThat(declared.count()).isGreaterThanOrEqualTo(20);
        assertThat(declared.notified()).containsExactly("head-of-service", "on-call-manager");
        EscalationEvent.CrisisCleared cleared = payload(events.get(1), EscalationEvent.CrisisCleared.class);
        assertThat(cleared.crisisId()).isEqualTo(declared.crisisId());
        assertThat(Duration.between(declared.at(), cleared.at())).isGreaterThanOrEqualTo(Duration.ofSeconds(10));
        given().auth().oauth2(TestTokens.forRoles("analyst")).get(service.url() + "/crises").then().statusCode(200)
                .body("find { it.crisisId == '" + declared.crisisId() + "' }.clearedAt", org.hamcrest.Matchers.notNullValue());
    }

    @Test
    void aRedeliveredEventChangesNothing() {
        String id = newContactId();
        send(received(id, "delivery"));
        SlaEvent.Breached breach = new SlaEvent.Breached(id, SlaMetric.FIRST_RESPONSE, Duration.ofMinutes(2),
                Instant.now(), Instant.now(), VERSION);
        try (TopicWriter writer = new TopicWriter()) {
            writer.send(breach, "breach-" + id);
            writer.send(breach, "breach-" + id);
        }
        // a second breach under another id finds the escalation already at that level: nothing either
        send(breach);
        List<TopicReader.Record> events = escalationEvents(id, has("pledge.escalation.raised", 1),
                Duration.ofSeconds(20), Duration.ofSeconds(2));
        assertThat(types(events).subList(0, 1)).containsExactly("escalation.raised");
        assertThat(count(events, "pledge.escalation.raised")).isEqualTo(1);
        given().auth().oauth2(TestTokens.forRoles("analyst")).get(service.url() + "/contacts/" + id + "/escalations")
                .then().statusCode(200).body("escalations.size()", equalTo(1))
                .body("decisions.findAll { it.kind == 'raised' }.size()", equalTo(1));
    }

    /**
     * Issue 31: events that decide nothing here (a timer started, a target met, a promise made: four in ten of
     * what the stack sends this service) take no transaction and leave no {@code ce_id} behind; what follows
     * them applies, and a met that corrects a breach, which does decide something, is applied.
     */
    @Test
    void eventsThatDecideNothingHereArePassedOverAndWhatFollowsThemApplies() {
        String id = newContactId();
        Instant now = Instant.now();
        String receivedId = send(received(id, "delivery"));
        double passedOverBefore = passedOver();
        List<String> nothing = List.of(
                send(new SlaEvent.Started(id, SlaMetric.FIRST_RESPONSE, "email", "always", Duration.ofMinutes(2), now,
                        now.plus(Duration.ofMinutes(2)), VERSION)),
                send(new SlaEvent.Met(id, SlaMetric.RESOLUTION, Duration.ofHours(8), Duration.ofMinutes(1), true,
                        now.plus(Duration.ofHours(8)), now, VERSION, false)),
                send(new ContactEvent.PromiseMade(id, 1, "a call back", now.plus(Duration.ofHours(1)), "agent-7",
                        now)));
        String breachId = send(new SlaEvent.Breached(id, SlaMetric.FIRST_RESPONSE, Duration.ofMinutes(2), now, now,
                VERSION));
        List<TopicReader.Record> events = escalationEvents(id, has("pledge.escalation.raised", 1),
                Duration.ofSeconds(20), Duration.ZERO);
        assertThat(payload(first(events, "pledge.escalation.raised"), EscalationEvent.Raised.class).triggerEventId())
                .isEqualTo(breachId);
        String correctionId = send(new SlaEvent.Met(id, SlaMetric.FIRST_RESPONSE, Duration.ofMinutes(2),
                Duration.ofMinutes(1), true, now, now, VERSION, true));
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20))
                .until(() -> recorded(List.of(correctionId)) == 1);
        // all three read, whether applied or passed over (promise-made comes on the other topic)
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20))
                .until(() -> recorded(nothing) + passedOver() - passedOverBefore >= 3);

        assertThat(recorded(List.of(receivedId, breachId))).as("the events applied, by ce_id").isEqualTo(2);
        assertThat(recorded(nothing)).as("ce_ids of the events passed over").isZero();
        assertThat(passedOver() - passedOverBefore).as("passed over, in the metrics").isGreaterThanOrEqualTo(3);
    }

    private static long recorded(List<String> eventIds) {
        return TestPostgres.get().count(EscalationTestSupport.DATABASE, "SELECT count(*) FROM processed_event WHERE "
                + "event_id IN ('" + String.join("', '", eventIds) + "')");
    }

    private static double passedOver() {
        String metrics = given().get(service.managementUrl() + "/q/metrics").then().statusCode(200).extract()
                .asString();
        return metrics.lines().filter(l -> l.startsWith("pledge_consumer_events_total{")
                        && l.contains("outcome=\"passed-over\""))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    @Test
    void theApiRefusesWhatItCannotServe() {
        String url = service.url();
        given().get(url + "/escalations").then().statusCode(401);
        given().auth().oauth2(TestTokens.forRoles("intake")).get(url + "/escalations").then().statusCode(403);
        given().auth().oauth2(TestTokens.forRoles("analyst")).post(url + "/escalations/x/acknowledge").then().statusCode(403);
        given().auth().oauth2(TestTokens.forRoles("agent")).post(url + "/escalations/nope/acknowledge")
                .then().statusCode(404).contentType("application/problem+json");
        given().auth().oauth2(TestTokens.forRoles("agent")).get(url + "/escalations?state=sleeping")
                .then().statusCode(400).contentType("application/problem+json").body("detail", containsString("state"));
        given().auth().oauth2(TestTokens.forRoles("agent")).get(url + "/escalations?size=100000")
                .then().statusCode(400).contentType("application/problem+json");
        given().urlEncodingEnabled(false).auth().oauth2(TestTokens.forRoles("agent")).get(url + "/escalations?level=a%00b")
                .then().statusCode(400).contentType("application/problem+json");
        given().auth().oauth2(TestTokens.forRoles("agent")).get(url + "/crises?since=yesterday")
                .then().statusCode(400).contentType("application/problem+json").body("detail", containsString("since"));
        // an instant PostgreSQL cannot hold is a 400 naming it, not a 500 from SQL (issue 27, defect 5)
        given().auth().oauth2(TestTokens.forRoles("agent")).get(url + "/crises?since=-999999999-01-01T00:00:00Z")
                .then().statusCode(400).contentType("application/problem+json").body("detail", containsString("since"));
        given().auth().oauth2(TestTokens.forRoles("agent")).get(url + "/crises?size=100000")
                .then().statusCode(400).contentType("application/problem+json").body("detail", containsString("size"));
        given().auth().oauth2(TestTokens.forRoles("agent")).get(url + "/crises?size=1").then().statusCode(200);
        given().auth().oauth2(TestTokens.forRoles("agent")).get(url + "/contacts/unknown/escalations")
                .then().statusCode(404).contentType("application/problem+json");
        given().auth().oauth2(TestTokens.forRoles("agent")).get(url + "/escalations?state=open").then().statusCode(200);
    }

    /** The contact's open escalation, polled over REST (reading the topic from the start takes seconds). */
    private static String openEscalationOf(String contactId) {
        return org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                .until(() -> {
                    var response = given().auth().oauth2(TestTokens.forRoles("agent"))
                            .get(service.url() + "/contacts/" + contactId + "/escalations");
                    return response.statusCode() == 200
                            ? response.jsonPath().<String>getString("escalations.find { it.state == 'open' }.escalationId")
                            : null;
                }, java.util.Objects::nonNull);
    }

    /** The state of the contact's escalation, as the API shows it. */
    private static String stateOf(String contactId) {
        return given().auth().oauth2(TestTokens.forRoles("agent")).get(service.url() + "/contacts/" + contactId
                + "/escalations").then().statusCode(200).extract().path("escalations[0].state");
    }
}
