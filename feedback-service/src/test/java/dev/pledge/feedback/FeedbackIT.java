package dev.pledge.feedback;

import static dev.pledge.feedback.FeedbackTestSupport.count;
import static dev.pledge.feedback.FeedbackTestSupport.newContactId;
import static dev.pledge.feedback.FeedbackTestSupport.of;
import static dev.pledge.feedback.FeedbackTestSupport.received;
import static dev.pledge.feedback.FeedbackTestSupport.sendAll;
import static dev.pledge.feedback.FeedbackTestSupport.status;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.startsWith;

import dev.pledge.events.Channel;
import dev.pledge.events.ContactStatus;
import dev.pledge.events.EventJson;
import dev.pledge.events.FeedbackEvent;
import dev.pledge.events.SurveyKind;
import dev.pledge.events.Topics;
import dev.pledge.feedback.rest.DashboardCookies;
import dev.pledge.testinfra.ServiceProcess;
import dev.pledge.testinfra.TestPostgres;
import dev.pledge.testinfra.TestTokens;
import dev.pledge.testinfra.TopicReader;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** feedback-service as a running JVM over the real broker and database: surveys, answers, and their refusals. */
class FeedbackIT {
    static ServiceProcess service;

    @BeforeAll
    static void start() {
        service = FeedbackTestSupport.sharedService();
    }

    /** survey.requested events for this contact, read until one arrives (or the timeout), then for {@code settle} more. */
    static List<TopicReader.Record> surveysOf(String contactId, Duration timeout, Duration settle) {
        try (TopicReader reader = new TopicReader(Topics.FEEDBACK_EVENTS)) {
            reader.readUntil(rs -> count(of(rs, contactId), "pledge.survey.requested") >= 1, timeout);
            return of(reader.readFor(settle), contactId);
        }
    }

    private static FeedbackEvent.SurveyRequested requestedFor(String contactId) {
        List<TopicReader.Record> records = surveysOf(contactId, Duration.ofSeconds(30), Duration.ofSeconds(1));
        assertThat(count(records, "pledge.survey.requested")).as("survey requests for " + contactId).isEqualTo(1);
        return EventJson.fromJson(records.stream().filter(r -> "pledge.survey.requested".equals(r.header("ce_type")))
                .findFirst().orElseThrow().value(), FeedbackEvent.SurveyRequested.class);
    }

    private static Response answer(Object body) {
        return given().baseUri(service.url()).contentType(ContentType.JSON).body(body).post("/feedback");
    }

    @Test
    void aResolvedContactGetsOneSurveyAfterTheDelayAndNoneWithinTheFatigueWindow() {
        String customer = "cust-" + UUID.randomUUID();
        String first = newContactId();
        Instant t0 = Instant.now();
        sendAll(List.of(received(first, customer, Channel.CHAT, t0),
                status(first, ContactStatus.OPEN, ContactStatus.RESOLVED, t0)));
        FeedbackEvent.SurveyRequested request = requestedFor(first);
        assertThat(request.kind()).isEqualTo(SurveyKind.CSAT);
        assertThat(request.customerId()).isEqualTo(customer);
        assertThat(request.channel()).isEqualTo(Channel.CHAT);
        assertThat(Duration.between(t0, request.at())).as("sent after the policy's 2 s delay").isGreaterThanOrEqualTo(Duration.ofSeconds(2));
        assertThat(request.expiresAt()).isEqualTo(request.at().plus(Duration.ofHours(1)).truncatedTo(java.time.temporal.ChronoUnit.MICROS))
                .as("expires an hour after it was sent");
        assertThat(request.token()).isNotBlank();

        // the same customer again, within the 30-day fatigue window: no survey
        String second = newContactId();
        Instant t1 = Instant.now();
        sendAll(List.of(received(second, customer, Channel.EMAIL, t1),
                status(second, ContactStatus.OPEN, ContactStatus.RESOLVED, t1)));
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> "suppressed".equals(surveyState(second)));
        assertThat(count(surveysOf(second, Duration.ofSeconds(3), Duration.ZERO), "pledge.survey.requested")).isZero();
    }

    @Test
    void aSurveyIsAnsweredOnceAndCountsInCsat() {
        Instant day = FeedbackTestSupport.isolatedDay();
        String id = newContactId();
        // received on an isolated day, resolved now: the survey follows the resolution's event time
        sendAll(List.of(received(id, "cust-" + UUID.randomUUID(), Channel.EMAIL, day),
                status(id, ContactStatus.OPEN, ContactStatus.RESOLVED, Instant.now())));
        FeedbackEvent.SurveyRequested request = requestedFor(id);

        try (TopicReader reader = new TopicReader(Topics.FEEDBACK_EVENTS)) {
            answer(Map.of("token", request.token(), "score", 5, "kind", "csat", "comment", "Very helpful, thank you!"))
                    .then().statusCode(201).body("surveyId", equalTo(request.surveyId())).body("score", equalTo(5));
            List<TopicReader.Record> received = reader.readUntil(
                    rs -> count(of(rs, id), "pledge.feedback.received") >= 1, Duration.ofSeconds(20));
            FeedbackEvent.Received event = EventJson.fromJson(of(received, id).stream()
                    .filter(r -> "pledge.feedback.received".equals(r.header("ce_type"))).findFirst().orElseThrow().value(),
                    FeedbackEvent.Received.class);
            assertThat(event.score()).isEqualTo(5);
            assertThat(event.sentiment()).as("the shared lexicon reads the comment as positive").isPositive();
        }
        answer(Map.of("token", request.token(), "score", 1)).then().statusCode(409)
                .contentType("application/problem+json");

        Instant from = day.minus(Duration.ofHours(1));
        given().baseUri(service.url()).auth().oauth2(TestTokens.forRoles("analyst"))
                .queryParam("from", from.toString()).queryParam("to", day.plus(Duration.ofHours(1)).toString())
                .get("/kpis").then().statusCode(200)
                .body("groups[0].contacts", equalTo(1))
                .body("groups[0].csat.responses", equalTo(1))
                .body("groups[0].csat.value", equalTo(100.0f))
                .body("commentThemes[0].comments", equalTo(1))
                .body("commentThemes[0].negative", equalTo(0));

        // the whole day, once its rollup is current: the theme comes from the daily theme rollup
        Instant wholeDay = day.truncatedTo(java.time.temporal.ChronoUnit.DAYS);
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().baseUri(service.url())
                .auth().oauth2(TestTokens.forRoles("analyst"))
                .queryParam("from", wholeDay.toString()).queryParam("to", wholeDay.plus(Duration.ofDays(1)).toString())
                .get("/kpis").then().statusCode(200)
                .body("percentiles", equalTo("buckets"))
                .body("groups[0].csat.responses", equalTo(1))
                .body("commentThemes[0].comments", equalTo(1))
                .body("commentThemes[0].negative", equalTo(0))
                .body("commentThemes[0].averageSentiment", greaterThan(0f)));
    }

    @Test
    void answersThatCannotBeTakenAreRefusedByTheirReason() {
        String id = newContactId();
        Instant t = Instant.now();
        sendAll(List.of(received(id, "cust-" + UUID.randomUUID(), Channel.PHONE, t),
                status(id, ContactStatus.OPEN, ContactStatus.RESOLVED, t)));
        String token = requestedFor(id).token();

        // forged: the signature of another survey, or one character changed
        String altered = token.substring(0, token.length() - 2) + (token.endsWith("AA") ? "BB" : "AA");
        answer(Map.of("token", altered, "score", 5)).then().statusCode(401).contentType("application/problem+json");
        String foreign = FeedbackTestSupport.tokens().sign(UUID.randomUUID(), SurveyKind.CSAT,
                Instant.now().plusSeconds(3600)).split("\\.")[0] + "." + token.split("\\.")[1];
        answer(Map.of("token", foreign, "score", 5)).then().statusCode(401);
        // expired: signed with the service's key, expiry in the past
        String expired = FeedbackTestSupport.tokens().sign(UUID.randomUUID(), SurveyKind.CSAT,
                Instant.now().minusSeconds(1));
        answer(Map.of("token", expired, "score", 5)).then().statusCode(410).contentType("application/problem+json");
        // the survey's own checks, named
        answer(Map.of("token", token, "score", 6)).then().statusCode(400).body("errors.field", hasItem("score"));
        answer(Map.of("token", token, "score", 0)).then().statusCode(400).body("errors.field", hasItem("score"));
        answer(Map.of("token", token, "score", 4, "kind", "nps")).then().statusCode(400).body("errors.field", hasItem("kind"));
        answer(Map.of("token", token, "score", 4, "kind", "stars")).then().statusCode(400).body("errors.field", hasItem("kind"));
        answer(Map.of("token", token, "score", 4, "comment", "x".repeat(4097))).then().statusCode(400)
                .body("errors.field", hasItem("comment"));
        answer("{\"token\": \"" + token + "\", \"score\": 1e400}").then().statusCode(400);
        answer("{\"token\": \"" + token + "\", \"score\": 99999999999999999999}").then().statusCode(400)
                .body("errors.field", hasItem("score"));
        answer("{\"token\": \"" + token + "\", \"score\": 4, \"comment\": \"a\\u0000b\"}").then().statusCode(400);
        answer("{\"token\": ").then().statusCode(400).contentType("application/problem+json");
        answer(Map.of("score", 4)).then().statusCode(400).body("errors.field", hasItem("token"));
        answer(Map.of("token", token, "score", 4, "stars", 5)).then().statusCode(400).body("errors.field", hasItem("stars"));
        // none of these was taken: the survey still takes its one answer
        assertThat(surveyState(id)).isEqualTo("requested");
        answer(Map.of("token", token, "score", 4, "kind", "csat")).then().statusCode(201);
        assertThat(surveyState(id)).isEqualTo("answered");
    }

    @Test
    void answersSentTogetherGetOneAcceptanceAndTheRestConflict() throws Exception {
        String id = newContactId();
        Instant t = Instant.now();
        sendAll(List.of(received(id, "cust-" + UUID.randomUUID(), Channel.CHAT, t),
                status(id, ContactStatus.OPEN, ContactStatus.RESOLVED, t)));
        String token = requestedFor(id).token();
        var pool = java.util.concurrent.Executors.newFixedThreadPool(10);
        try {
            List<java.util.concurrent.Future<Integer>> answers = new java.util.ArrayList<>();
            for (int i = 0; i < 10; i++) {
                int score = 1 + i % 5;
                answers.add(pool.submit(() -> answer(Map.of("token", token, "score", score)).statusCode()));
            }
            List<Integer> statuses = new java.util.ArrayList<>();
            for (var a : answers) {
                statuses.add(a.get());
            }
            assertThat(statuses).containsOnly(201, 409);
            assertThat(statuses.stream().filter(s -> s == 201).count()).isEqualTo(1);
        } finally {
            pool.shutdown();
        }
        try (TopicReader reader = new TopicReader(Topics.FEEDBACK_EVENTS)) {
            reader.readUntil(rs -> count(of(rs, id), "pledge.feedback.received") >= 1, Duration.ofSeconds(20));
            assertThat(count(of(reader.readFor(Duration.ofSeconds(2)), id), "pledge.feedback.received"))
                    .as("one feedback.received").isEqualTo(1);
        }
    }

    @Test
    void oneAddressIsRateLimited() {
        int limited = 0;
        int sent = 0;
        // the windows are whole minutes: a loop that straddles one needs up to twice the limit
        while (limited < 5 && sent < 2100) {
            sent++;
            Response r = given().baseUri(service.url()).contentType(ContentType.JSON)
                    .header("X-Forwarded-For", "203.0.113.77").body(Map.of("token", "x.y", "score", 1)).post("/feedback");
            assertThat(r.statusCode()).isIn(401, 429);
            if (r.statusCode() == 429) {
                limited++;
                assertThat(r.header("Retry-After")).isNotNull();
                assertThat(r.contentType()).startsWith("application/problem+json");
            }
        }
        assertThat(limited).as("answers beyond 1,000 a minute from one address").isEqualTo(5);
        assertThat(sent).as("requests it took").isGreaterThan(1000);
        // another address is not affected
        given().baseUri(service.url()).contentType(ContentType.JSON).header("X-Forwarded-For", "203.0.113.78")
                .body(Map.of("token", "x.y", "score", 1)).post("/feedback").then().statusCode(401);
    }

    /** The score's range is the stored survey's: a token naming another kind does not widen it. */
    @Test
    void theStoredSurveySetsTheScoresRange() {
        String id = newContactId();
        sendAll(List.of(received(id, "cust-" + UUID.randomUUID(), Channel.CHAT, Instant.now()),
                status(id, ContactStatus.OPEN, ContactStatus.RESOLVED, Instant.now())));
        FeedbackEvent.SurveyRequested request = requestedFor(id);
        assertThat(request.kind()).isEqualTo(SurveyKind.CSAT);
        String asNps = FeedbackTestSupport.tokens().sign(UUID.fromString(request.surveyId()), SurveyKind.NPS,
                request.expiresAt());
        answer(Map.of("token", asNps, "score", 9)).then().statusCode(400)
                .contentType(startsWith("application/problem+json")).body("errors.field", hasItem("score"));
        assertThat(surveyState(id)).isEqualTo("requested");
        answer(Map.of("token", request.token(), "score", 4)).then().statusCode(201);
    }

    /** A client writing its own X-Forwarded-For in front of what the proxy appended still counts as itself. */
    @Test
    void aForgedForwardedAddressIsNotAnotherClient() {
        int limited = 0;
        int sent = 0;
        // the windows are whole minutes: a loop that straddles one needs up to twice the limit (as above)
        while (limited == 0 && sent < 2100) {
            Response r = given().baseUri(service.url()).contentType(ContentType.JSON)
                    .header("X-Forwarded-For", "198.51.100." + (sent % 250) + ", 203.0.113.90")
                    .body(Map.of("token", "x.y", "score", 1)).post("/feedback");
            sent++;
            assertThat(r.statusCode()).isIn(401, 429);
            limited += r.statusCode() == 429 ? 1 : 0;
        }
        // counted by the forged left-most values, 250 addresses would each send at most nine: never limited
        assertThat(limited).as("a 429 for 203.0.113.90 despite the forged left-most values").isEqualTo(1);
        assertThat(sent).as("requests it took").isGreaterThan(1000);
    }

    @Test
    void aForwardedValueThatIsNoAddressIsNoError() {
        for (String value : new String[] {"unknown", "_hidden", "evil.example.com", "1.2.3.4:80", ",", "::::"}) {
            given().baseUri(service.url()).contentType(ContentType.JSON).header("X-Forwarded-For", value)
                    .body(Map.of("token", "x.y", "score", 1)).post("/feedback").then().statusCode(401)
                    .contentType(startsWith("application/problem+json"));
        }
    }

    @Test
    void analyticsNeedATokenAndTheRightRole() {
        given().baseUri(service.url()).get("/kpis").then().statusCode(401);
        given().baseUri(service.url()).auth().oauth2(TestTokens.forRoles("agent")).get("/kpis").then().statusCode(403);
        given().baseUri(service.url()).auth().oauth2(TestTokens.forRoles("agent")).get("/insights").then().statusCode(403);
        given().baseUri(service.url()).auth().oauth2(TestTokens.forRoles("analyst")).queryParam("groupBy", "planet")
                .get("/kpis").then().statusCode(400).body("errors.field", hasItem("groupBy"));
        given().baseUri(service.url()).auth().oauth2(TestTokens.forRoles("analyst")).queryParam("from", "yesterday")
                .get("/kpis").then().statusCode(400).body("errors.field", hasItem("from"));
        given().baseUri(service.url()).auth().oauth2(TestTokens.forRoles("analyst"))
                .queryParam("from", "+999999-01-01T00:00:00Z").get("/kpis").then().statusCode(400);
        given().baseUri(service.url()).auth().oauth2(TestTokens.forRoles("analyst")).queryParam("from", "2020-01-01T00:00:00Z")
                .queryParam("to", "2019-01-01T00:00:00Z").get("/kpis").then().statusCode(400);
        given().baseUri(service.url()).get("/dashboard/data").then().statusCode(401);
        given().baseUri(service.url()).redirects().follow(false).get("/dashboard").then().statusCode(303);
    }

    /** Issue 27, defect 6: headers on every answer, a sign-in only from this site's form, a cookie for the dashboard only. */
    @Test
    void theDashboardIsHardened() {
        String supervisor = TestTokens.forRoles("supervisor");
        List<Response> answers = List.of(
                given().baseUri(service.url()).get("/dashboard/sign-in"),
                given().baseUri(service.url()).redirects().follow(false).get("/dashboard"),
                given().baseUri(service.url()).get("/kpis"),
                given().baseUri(service.url()).auth().oauth2(supervisor).get("/dashboard/data"),
                given().baseUri(service.url()).get("/assets/dashboard.js"));
        for (Response r : answers) {
            assertThat(r.header("X-Content-Type-Options")).as("nosniff").isEqualTo("nosniff");
            assertThat(r.header("X-Frame-Options")).isEqualTo("DENY");
            assertThat(r.header("Content-Security-Policy")).contains("frame-ancestors 'none'", "default-src 'none'")
                    .doesNotContain("unsafe-inline", "unsafe-eval");
        }

        // a form posted by another site carries no form value of ours (nor its SameSite=Strict cookie): refused
        given().baseUri(service.url()).formParam("token", supervisor).redirects().follow(false)
                .post("/dashboard/sign-in").then().statusCode(403);
        given().baseUri(service.url()).cookie(DashboardCookies.SIGN_IN, "guessed").formParam("form", "other")
                .formParam("token", supervisor).redirects().follow(false).post("/dashboard/sign-in").then().statusCode(403);
        Response form = given().baseUri(service.url()).get("/dashboard/sign-in");
        String value = form.cookie(DashboardCookies.SIGN_IN);
        assertThat(form.body().asString()).contains("value=\"" + value + "\"");
        Response signedIn = given().baseUri(service.url()).cookie(DashboardCookies.SIGN_IN, value).formParam("form", value)
                .formParam("token", supervisor).redirects().follow(false).post("/dashboard/sign-in");
        assertThat(signedIn.statusCode()).isEqualTo(303);
        io.restassured.http.Cookie cookie = signedIn.detailedCookie(DashboardCookies.TOKEN);
        assertThat(cookie.isSecured()).as("Secure").isTrue();
        assertThat(cookie.isHttpOnly()).as("HttpOnly").isTrue();
        assertThat(cookie.getPath()).isEqualTo("/dashboard");
        assertThat(cookie.getSameSite()).isEqualToIgnoringCase("Strict");

        // the cookie opens the dashboard, and no other endpoint
        given().baseUri(service.url()).cookie(DashboardCookies.TOKEN, supervisor).get("/dashboard/data").then().statusCode(200);
        given().baseUri(service.url()).cookie(DashboardCookies.TOKEN, supervisor).get("/kpis").then().statusCode(401);
        given().baseUri(service.url()).cookie(DashboardCookies.TOKEN, supervisor).get("/insights").then().statusCode(401);
    }

    static String surveyState(String contactId) {
        try (var c = TestPostgres.get().connect(FeedbackTestSupport.DATABASE);
                var s = c.prepareStatement("SELECT state FROM fb_survey WHERE contact_id = ?")) {
            s.setString(1, contactId);
            try (var rs = s.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
