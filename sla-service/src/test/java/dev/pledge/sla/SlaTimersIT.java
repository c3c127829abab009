package dev.pledge.sla;

import static dev.pledge.sla.SlaTestSupport.count;
import static dev.pledge.sla.SlaTestSupport.has;
import static dev.pledge.sla.SlaTestSupport.newContactId;
import static dev.pledge.sla.SlaTestSupport.received;
import static dev.pledge.sla.SlaTestSupport.send;
import static dev.pledge.sla.SlaTestSupport.slaEvents;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import dev.pledge.events.Channel;
import dev.pledge.events.ContactEvent;
import dev.pledge.events.ContactStatus;
import dev.pledge.events.EventJson;
import dev.pledge.events.EventType;
import dev.pledge.events.SlaEvent;
import dev.pledge.events.Topics;
import dev.pledge.testinfra.ServiceProcess;
import dev.pledge.testinfra.TestPostgres;
import dev.pledge.testinfra.TestTokens;
import dev.pledge.testinfra.TopicReader;
import dev.pledge.testinfra.TopicWriter;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** sla-service as a running JVM over the real broker and database, fed contact events as intake writes them. */
class SlaTimersIT {
    static ServiceProcess sla;

    @BeforeAll
    static void start() {
        SlaTestSupport.publishTestPolicy();
        sla = ServiceProcess.start(SlaTestSupport.DATABASE, Map.of(
                "PLEDGE_POLICY_FEED_AWAIT_TIMEOUT", "PT3S", // an event naming an unknown version is set aside soon
                "PLEDGE_RETENTION_EVERY", "1s", "PLEDGE_RETENTION_DELAY", "1s"));
        SlaTestSupport.awaitMembersWithPartitions(1);
    }

    @AfterAll
    static void stop() {
        sla.close();
    }

    @Test
    void chatContactWarnsThenBreachesEachOnce() {
        String id = newContactId();
        send(received(id, Channel.CHAT, Instant.now()));
        List<TopicReader.Record> events = slaEvents(id, has("pledge.sla.breached", "first-response"),
                Duration.ofSeconds(30), Duration.ofSeconds(3));
        assertThat(events).extracting(r -> r.header("ce_type")).containsSubsequence(
                "pledge.sla.started", "pledge.sla.warning", "pledge.sla.warning", "pledge.sla.breached");
        assertThat(count(events, "pledge.sla.warning", "first-response")).isEqualTo(2);
        assertThat(count(events, "pledge.sla.breached", "first-response")).isEqualTo(1);
        SlaEvent.Breached breach = events.stream().filter(r -> "pledge.sla.breached".equals(r.header("ce_type")))
                .map(r -> EventJson.fromJson(r.value(), SlaEvent.Breached.class)).findFirst().orElseThrow();
        assertThat(breach.policyVersion()).isEqualTo(2);
        assertThat(Duration.between(breach.deadline(), breach.at())).isLessThan(Duration.ofSeconds(1));
    }

    @Test
    void replyBeforeTheDeadlineIsMetAndNeverBreached() {
        String id = newContactId();
        Instant t0 = Instant.now();
        send(received(id, Channel.CHAT, t0), new ContactEvent.AgentReplied(id, "agent-1", t0.plusMillis(1500)));
        List<TopicReader.Record> events = slaEvents(id, has("pledge.sla.met", "first-response"),
                Duration.ofSeconds(20), Duration.ofSeconds(6)); // past the 4 s deadline
        assertThat(count(events, "pledge.sla.met", "first-response")).isEqualTo(1);
        assertThat(count(events, "pledge.sla.breached", "first-response")).isZero();
        SlaEvent.Met met = events.stream().filter(r -> "pledge.sla.met".equals(r.header("ce_type")))
                .map(r -> EventJson.fromJson(r.value(), SlaEvent.Met.class)).findFirst().orElseThrow();
        assertThat(met.inTarget()).isTrue();
        assertThat(met.elapsed()).isEqualTo(Duration.ofMillis(1500));
    }

    @Test
    void aBurstOfContactsAndRepliesWrittenTogetherIsAppliedInRecordOrder() {
        // Written at once, these reach sla-service in few polls: runs of contact.received take the set-based
        // path, the replies between them are applied after the contacts before them, in record order.
        Instant t0 = Instant.now();
        List<String> ids = new java.util.ArrayList<>();
        List<ContactEvent> burst = new java.util.ArrayList<>();
        for (int i = 0; i < 20; i++) {
            String id = newContactId();
            ids.add(id);
            burst.add(received(id, Channel.CHAT, t0));
            if (i % 2 == 0) {
                burst.add(new ContactEvent.AgentReplied(id, "agent-1", t0.plusMillis(500)));
            }
        }
        // The same contact received again (another event id): its first timers stand, nothing starts twice.
        burst.add(received(ids.get(1), Channel.EMAIL, t0.plusMillis(100)));
        send(burst.toArray(ContactEvent[]::new));

        try (TopicReader reader = new TopicReader(Topics.SLA_EVENTS)) {
            List<TopicReader.Record> all = reader.readUntil(rs -> ids.stream().allMatch(id -> {
                List<TopicReader.Record> mine = SlaTestSupport.of(rs, id);
                return count(mine, "pledge.sla.started", "first-response") > 0
                        && (ids.indexOf(id) % 2 == 1 || count(mine, "pledge.sla.met", "first-response") > 0);
            }), Duration.ofSeconds(30));
            for (int i = 0; i < ids.size(); i++) {
                List<TopicReader.Record> mine = SlaTestSupport.of(all, ids.get(i));
                assertThat(count(mine, "pledge.sla.started", "first-response")).as("contact %d", i).isEqualTo(1);
                if (i % 2 == 0) {
                    assertThat(mine).extracting(r -> r.header("ce_type")).as("contact %d", i)
                            .containsSubsequence("pledge.sla.started", "pledge.sla.met");
                    SlaEvent.Met met = mine.stream().filter(r -> "pledge.sla.met".equals(r.header("ce_type")))
                            .map(r -> EventJson.fromJson(r.value(), SlaEvent.Met.class))
                            .filter(m -> m.metric().wire().equals("first-response")).findFirst().orElseThrow();
                    assertThat(met.elapsed()).isEqualTo(Duration.ofMillis(500));
                } else {
                    assertThat(count(mine, "pledge.sla.met", "first-response")).as("contact %d", i).isZero();
                }
            }
            SlaEvent.Started again = SlaTestSupport.of(all, ids.get(1)).stream()
                    .filter(r -> "pledge.sla.started".equals(r.header("ce_type")))
                    .map(r -> EventJson.fromJson(r.value(), SlaEvent.Started.class))
                    .filter(st -> st.metric().wire().equals("first-response")).findFirst().orElseThrow();
            assertThat(again.deadline()).isEqualTo(t0.truncatedTo(java.time.temporal.ChronoUnit.MICROS).plusSeconds(4));
        }
    }

    @Test
    void aRunOfRepliesOnTheSameContactsIsAppliedTogetherAsOneAtATimeWouldBe() {
        // The contacts first; then their replies written at once, so that sla-service applies them together
        // (SlaTimers.others: one model per contact for the run). In the run, each customer's reply starts a
        // next-response timer and the agent's second reply meets it: the new timer must be stored as met, or
        // the clock would breach it 4 s later. A reply for a contact never received is passed over.
        List<String> ids = new java.util.ArrayList<>();
        Instant received = Instant.now();
        for (int i = 0; i < 8; i++) {
            ids.add(newContactId());
        }
        send(ids.stream().map(id -> received(id, Channel.CHAT, received)).toArray(ContactEvent[]::new));
        try (TopicReader reader = new TopicReader(Topics.SLA_EVENTS)) {
            reader.readUntil(rs -> ids.stream().allMatch(id -> count(SlaTestSupport.of(rs, id), "pledge.sla.started",
                    "first-response") == 1), Duration.ofSeconds(30));
        }
        Instant t1 = Instant.now();
        List<ContactEvent> run = new java.util.ArrayList<>();
        for (int i = 0; i < ids.size(); i++) {
            String id = ids.get(i);
            run.add(new ContactEvent.AgentReplied(id, "agent-1", t1, null));
            run.add(new ContactEvent.CustomerReplied(id, t1.plusMillis(200)));
            if (i == 3) {
                run.add(new ContactEvent.AgentReplied(newContactId(), "agent-1", t1, null)); // never received here
            }
            run.add(new ContactEvent.AgentReplied(id, "agent-2", t1.plusMillis(700), null));
        }
        send(run.toArray(ContactEvent[]::new));

        try (TopicReader reader = new TopicReader(Topics.SLA_EVENTS)) {
            reader.readUntil(rs -> ids.stream().allMatch(id ->
                    count(SlaTestSupport.of(rs, id), "pledge.sla.met", "next-response") == 1), Duration.ofSeconds(30));
            // then past the next response's 4 s target: nothing more comes for a met timer
            List<TopicReader.Record> all = reader.readFor(Duration.ofSeconds(6));
            for (String id : ids) {
                List<TopicReader.Record> mine = SlaTestSupport.of(all, id);
                assertThat(count(mine, "pledge.sla.met", "first-response")).as(id).isEqualTo(1);
                assertThat(count(mine, "pledge.sla.started", "next-response")).as(id).isEqualTo(1);
                assertThat(count(mine, "pledge.sla.breached", "next-response")).as("%s: %s", id,
                        mine.stream().map(r -> r.header("ce_type") + " " + r.value()).toList()).isZero();
                SlaEvent.Met met = mine.stream().filter(r -> "pledge.sla.met".equals(r.header("ce_type")))
                        .map(r -> EventJson.fromJson(r.value(), SlaEvent.Met.class))
                        .filter(m -> m.metric().wire().equals("next-response")).findFirst().orElseThrow();
                assertThat(met.elapsed()).as(id).isEqualTo(Duration.ofMillis(500));
            }
        }
    }

    @Test
    void pauseHoldsTheClock() {
        String id = newContactId();
        Instant t0 = Instant.now();
        send(received(id, Channel.CHAT, t0),
                new ContactEvent.StatusChanged(id, ContactStatus.OPEN, ContactStatus.PENDING, "agent-1", t0.plusSeconds(1)));
        List<TopicReader.Record> paused = slaEvents(id, has("pledge.sla.paused", "first-response"),
                Duration.ofSeconds(20), Duration.ofSeconds(6)); // well past the original deadline
        assertThat(count(paused, "pledge.sla.breached", "first-response")).isZero();

        Instant resumedAt = Instant.now();
        send(new ContactEvent.StatusChanged(id, ContactStatus.PENDING, ContactStatus.OPEN, "agent-1", resumedAt));
        List<TopicReader.Record> events = slaEvents(id, has("pledge.sla.breached", "first-response"),
                Duration.ofSeconds(20), Duration.ofSeconds(1));
        SlaEvent.Resumed resumed = events.stream().filter(r -> "pledge.sla.resumed".equals(r.header("ce_type")))
                .map(r -> EventJson.fromJson(r.value(), SlaEvent.Resumed.class))
                .filter(r -> r.metric().wire().equals("first-response")).findFirst().orElseThrow();
        assertThat(resumed.remaining()).isEqualTo(Duration.ofSeconds(3));
        assertThat(resumed.deadline()).isEqualTo(resumedAt.truncatedTo(java.time.temporal.ChronoUnit.MICROS).plusSeconds(3));
        assertThat(count(events, "pledge.sla.breached", "first-response")).isEqualTo(1);
    }

    @Test
    void businessHoursTargetPostedOnFridayEveningIsDueOnMonday() {
        String id = newContactId();
        send(received(id, Channel.EMAIL, Instant.parse("2026-03-06T18:00:00Z"))); // 18:00 in London
        List<TopicReader.Record> events = slaEvents(id, has("pledge.sla.started", "first-response"),
                Duration.ofSeconds(20), Duration.ZERO);
        SlaEvent.Started started = events.stream().filter(r -> "pledge.sla.started".equals(r.header("ce_type")))
                .map(r -> EventJson.fromJson(r.value(), SlaEvent.Started.class))
                .filter(s -> s.metric().wire().equals("first-response")).findFirst().orElseThrow();
        assertThat(started.calendar()).isEqualTo("office");
        assertThat(started.deadline()).isEqualTo(Instant.parse("2026-03-09T14:00:00Z")); // Monday, 4 office hours later
    }

    @Test
    void aRedeliveredEventChangesNothing() {
        String id = newContactId();
        try (TopicWriter writer = new TopicWriter()) {
            ContactEvent.Received r = received(id, Channel.PHONE, Instant.now());
            writer.send(r, "same-event-" + id);
            writer.send(r, "same-event-" + id);
        }
        List<TopicReader.Record> events = slaEvents(id, has("pledge.sla.started", "first-response"),
                Duration.ofSeconds(20), Duration.ofSeconds(3));
        assertThat(count(events, "pledge.sla.started", "first-response")).isEqualTo(1);
    }

    @Test
    void anUnreadableRecordGoesToTheDeadLetterTopicAndTheConsumerGoesOn() {
        String id = newContactId();
        try (TopicWriter writer = new TopicWriter()) {
            ProducerRecord<String, String> poison = new ProducerRecord<>(Topics.CONTACT_EVENTS, id, "{not json");
            poison.headers().add("ce_id", ("poison-" + id).getBytes()).add("ce_type", "pledge.contact.received".getBytes());
            writer.send(poison, "poison");
        }
        send(received(id, Channel.CHAT, Instant.now()));
        try (TopicReader dlq = new TopicReader(Topics.deadLetter(Topics.CONTACT_EVENTS, "sla-service"))) {
            List<TopicReader.Record> dead = dlq.readUntil(rs -> rs.stream().anyMatch(r -> id.equals(r.key())),
                    Duration.ofSeconds(20));
            assertThat(dead).filteredOn(r -> id.equals(r.key())).singleElement()
                    .satisfies(r -> assertThat(r.header("dead-letter-reason")).contains("cannot read"));
        }
        assertThat(slaEvents(id, has("pledge.sla.started", "first-response"), Duration.ofSeconds(20), Duration.ZERO))
                .isNotEmpty();
    }

    @Test
    void aRecordWithoutCloudEventHeadersGoesToTheDeadLetterTopicAndTheConsumerGoesOn() {
        String id = newContactId();
        try (TopicWriter writer = new TopicWriter()) {
            writer.send(new ProducerRecord<>(Topics.CONTACT_EVENTS, id, "\u0000 no headers"), "no headers");
        }
        send(received(id, Channel.CHAT, Instant.now()));
        try (TopicReader dlq = new TopicReader(Topics.deadLetter(Topics.CONTACT_EVENTS, "sla-service"))) {
            List<TopicReader.Record> dead = dlq.readUntil(rs -> rs.stream().anyMatch(r -> id.equals(r.key())),
                    Duration.ofSeconds(20));
            assertThat(dead).filteredOn(r -> id.equals(r.key())).singleElement()
                    .satisfies(r -> assertThat(r.header("dead-letter-reason")).contains("ce_id"));
        }
        assertThat(slaEvents(id, has("pledge.sla.started", "first-response"), Duration.ofSeconds(20), Duration.ZERO))
                .isNotEmpty();
    }

    /** Issue 27, defect 7: a well-formed event of a type that belongs on another topic is not applied. */
    @Test
    void anEventOnTheWrongTopicIsDeadLetteredWithTheReason() {
        String id = newContactId();
        String crisis = EventJson.toJson(new dev.pledge.events.EscalationEvent.CrisisDeclared("crisis-" + id, id,
                Instant.now().minusSeconds(60), Instant.now(), 50, 2.0, List.of("supervisor"), Instant.now(), 1));
        try (TopicWriter writer = new TopicWriter()) {
            ProducerRecord<String, String> wrong = new ProducerRecord<>(Topics.CONTACT_EVENTS, id, crisis);
            dev.pledge.events.CloudEventHeaders.of("wrong-" + id, EventType.CRISIS_DECLARED, "/pledge/test", Instant.now(), id)
                    .forEach((k, v) -> wrong.headers().add(k, v.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            writer.send(wrong, "wrong-" + id);
        }
        assertThat(SlaTestSupport.deadLetters(Duration.ofSeconds(30), id)).filteredOn(r -> id.equals(r.key()))
                .singleElement().satisfies(r -> assertThat(r.header("dead-letter-reason"))
                        .contains("pledge.crisis.declared belongs on escalation-events, not on contact-events"));
    }

    /**
     * Issue 27, defect 7: a dead letter the broker refuses (here: larger than the dead-letter topic takes)
     * does not stop the consumer; it is sent without its value, and what follows flows.
     */
    @Test
    void aDeadLetterTheBrokerRefusesDoesNotStopTheConsumer() throws Exception {
        String dlq = Topics.deadLetter(Topics.CONTACT_EVENTS, "sla-service");
        try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(Map.of(
                "bootstrap.servers", dev.pledge.testinfra.TestKafka.get().bootstrapServers()))) {
            org.apache.kafka.common.config.ConfigResource topic = new org.apache.kafka.common.config.ConfigResource(
                    org.apache.kafka.common.config.ConfigResource.Type.TOPIC, dlq);
            try { // the dead-letter topic exists once anything was dead-lettered; this test may come first
                admin.createTopics(List.of(new org.apache.kafka.clients.admin.NewTopic(dlq, java.util.Optional.empty(),
                        java.util.Optional.empty()))).all().get();
            } catch (java.util.concurrent.ExecutionException alreadyThere) {
                // it exists
            }
            admin.incrementalAlterConfigs(Map.of(topic, List.of(new org.apache.kafka.clients.admin.AlterConfigOp(
                    new org.apache.kafka.clients.admin.ConfigEntry("max.message.bytes", "4096"),
                    org.apache.kafka.clients.admin.AlterConfigOp.OpType.SET)))).all().get();
            try {
                String id = newContactId();
                try (TopicWriter writer = new TopicWriter()) {
                    ProducerRecord<String, String> poison = new ProducerRecord<>(Topics.CONTACT_EVENTS, id,
                            "{not json" + "x".repeat(20_000));
                    poison.headers().add("ce_id", ("big-" + id).getBytes()).add("ce_type", "pledge.contact.received".getBytes());
                    writer.send(poison, "big-" + id);
                }
                String after = newContactId();
                send(received(after, Channel.CHAT, Instant.now()));
                assertThat(SlaTestSupport.deadLetters(Duration.ofSeconds(30), id)).filteredOn(r -> id.equals(r.key()))
                        .singleElement().satisfies(r -> {
                            assertThat(r.value()).isNull();
                            assertThat(r.header("dead-letter-reason")).contains("cannot read", "was dropped");
                        });
                assertThat(slaEvents(after, has("pledge.sla.started", "first-response"), Duration.ofSeconds(20),
                        Duration.ZERO)).as("the contact after it is timed").isNotEmpty();
            } finally {
                admin.incrementalAlterConfigs(Map.of(topic, List.of(new org.apache.kafka.clients.admin.AlterConfigOp(
                        new org.apache.kafka.clients.admin.ConfigEntry("max.message.bytes", ""),
                        org.apache.kafka.clients.admin.AlterConfigOp.OpType.DELETE)))).all().get();
            }
        }
    }

    @Test
    void aContactReceivedWithoutAPolicyVersionIsDeadLetteredAsSuchNotAwaitedAsVersionZero() {
        String id = newContactId();
        try (TopicWriter writer = new TopicWriter()) {
            // what a producer that got the contract wrong writes: the right headers, a payload with no policyVersion
            writer.send(EventType.CONTACT_RECEIVED, id, "{\"contactId\": \"" + id + "\"}");
        }
        assertThat(SlaTestSupport.deadLetters(Duration.ofSeconds(30), id)).filteredOn(r -> id.equals(r.key()))
                .singleElement().satisfies(r -> assertThat(r.header("dead-letter-reason")).contains("names no policy version"));
    }

    @Test
    void aPromiseIsTimedToItsDueTimeAndOutlivesTheContactsResolution() {
        String id = newContactId();
        Instant t0 = Instant.now();
        send(received(id, Channel.EMAIL, t0),
                new ContactEvent.PromiseMade(id, 1, "Call back when the courier confirms", t0.plusSeconds(4), "agent-1", t0),
                new ContactEvent.StatusChanged(id, ContactStatus.OPEN, ContactStatus.RESOLVED, "agent-1", t0.plusMillis(100)));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> given().auth().oauth2(TestTokens.forRoles("agent"))
                .get(sla.url() + "/contacts/" + id + "/sla").then().statusCode(200)
                .body("find { it.metric == 'promise' }.promised", equalTo("Call back when the courier confirms"))
                .body("find { it.metric == 'promise' }.calendar", equalTo("24x7"))
                .body("find { it.metric == 'promise' }.target", equalTo("PT4S")));
        List<TopicReader.Record> events = slaEvents(id, has("pledge.sla.breached", "promise"),
                Duration.ofSeconds(20), Duration.ofSeconds(1));
        assertThat(count(events, "pledge.sla.started", "promise")).isEqualTo(1);
        assertThat(count(events, "pledge.sla.warning", "promise")).isEqualTo(2);
        assertThat(count(events, "pledge.sla.breached", "promise")).isEqualTo(1);
        assertThat(count(events, "pledge.sla.cancelled", "promise")).isZero();
        SlaEvent.Breached breach = events.stream().filter(r -> "pledge.sla.breached".equals(r.header("ce_type")))
                .map(r -> EventJson.fromJson(r.value(), SlaEvent.Breached.class)).findFirst().orElseThrow();
        assertThat(breach.deadline()).isEqualTo(t0.plusSeconds(4).truncatedTo(java.time.temporal.ChronoUnit.MICROS));
    }

    @Test
    void aPromiseIsKeptByAReplyThatNamesItOrByMarkingItKeptAndOnlyThatOne() {
        String replied = newContactId();
        String marked = newContactId();
        String unnamed = newContactId();
        Instant t0 = Instant.now();
        send(received(replied, Channel.EMAIL, t0),
                new ContactEvent.PromiseMade(replied, 1, "Send the invoice", t0.plusSeconds(4), "agent-1", t0),
                new ContactEvent.AgentReplied(replied, "agent-1", t0.plusMillis(500), List.of(1)),
                received(unnamed, Channel.EMAIL, t0),
                new ContactEvent.PromiseMade(unnamed, 1, "Send the label", t0.plusSeconds(4), "agent-1", t0),
                new ContactEvent.AgentReplied(unnamed, "agent-1", t0.plusMillis(500)),
                received(marked, Channel.EMAIL, t0),
                new ContactEvent.PromiseMade(marked, 1, "Refund the fee", t0.plusSeconds(4), "agent-1", t0),
                new ContactEvent.PromiseMade(marked, 2, "Call back", t0.plusSeconds(4), "agent-1", t0),
                new ContactEvent.PromiseKept(marked, 2, "agent-1", t0.plusMillis(500)));
        List<TopicReader.Record> markedEvents = slaEvents(marked, has("pledge.sla.breached", "promise"),
                Duration.ofSeconds(20), Duration.ofSeconds(2));
        assertThat(count(markedEvents, "pledge.sla.met", "promise")).isEqualTo(1);
        assertThat(count(markedEvents, "pledge.sla.breached", "promise")).isEqualTo(1);
        SlaEvent.Met kept = markedEvents.stream().filter(r -> "pledge.sla.met".equals(r.header("ce_type")))
                .map(r -> EventJson.fromJson(r.value(), SlaEvent.Met.class)).findFirst().orElseThrow();
        assertThat(kept.inTarget()).isTrue();
        assertThat(kept.elapsed()).isEqualTo(Duration.ofMillis(500));
        given().auth().oauth2(TestTokens.forRoles("agent")).get(sla.url() + "/contacts/" + marked + "/sla").then()
                .body("findAll { it.metric == 'promise' }.state", containsInAnyOrder("running", "met"))
                .body("find { it.metric == 'promise' && it.cycle == 1 }.breached", equalTo(true));

        List<TopicReader.Record> repliedEvents = slaEvents(replied, has("pledge.sla.met", "promise"),
                Duration.ofSeconds(10), Duration.ofSeconds(1));
        assertThat(count(repliedEvents, "pledge.sla.met", "promise")).isEqualTo(1);
        assertThat(count(repliedEvents, "pledge.sla.breached", "promise")).isZero();
        // a reply that names no promise keeps none (it answers the customer, which is not what was promised)
        List<TopicReader.Record> unnamedEvents = slaEvents(unnamed, has("pledge.sla.breached", "promise"),
                Duration.ofSeconds(20), Duration.ZERO);
        assertThat(count(unnamedEvents, "pledge.sla.met", "promise")).isZero();
        assertThat(count(unnamedEvents, "pledge.sla.met", "first-response")).isEqualTo(1);
    }

    @Test
    void aFrontEndReadsTheTimersOfTheContactsItSentAndNoOthers() {
        String id = newContactId();
        Instant at = Instant.now();
        ContactEvent.Received r = received(id, Channel.EMAIL, at);
        send(new ContactEvent.Received(id, null, r.customer(), r.channel(), r.subject(), r.body(), r.category(),
                r.priority(), null, at, at, null, null, r.policyVersion(), "front-end-a"));
        String mine = TestTokens.forSubject("front-end-a", TestTokens.AUDIENCE, "intake");
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> given().auth().oauth2(mine)
                .get(sla.url() + "/contacts/" + id + "/sla").then().statusCode(200).body("metric", hasItem("first-response")));
        String theirs = TestTokens.forSubject("front-end-b", TestTokens.AUDIENCE, "intake");
        given().auth().oauth2(theirs).get(sla.url() + "/contacts/" + id + "/sla").then().statusCode(404)
                .contentType("application/problem+json");
        given().auth().oauth2(TestTokens.forRoles("analyst")).get(sla.url() + "/contacts/" + id + "/sla").then()
                .statusCode(200);
    }

    @Test
    void restShowsTheContactsTimersAtRiskAndCompliance() {
        String id = newContactId();
        send(received(id, Channel.EMAIL, Instant.now()));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> given().auth().oauth2(TestTokens.forRoles("agent"))
                .get(sla.url() + "/contacts/" + id + "/sla").then().statusCode(200)
                .body("metric", hasItem("first-response")).body("[0].target", equalTo("PT4H"))
                .body("[0].state", equalTo("running")));

        String soon = newContactId();
        send(received(soon, Channel.CHAT, Instant.now()), new ContactEvent.AgentReplied(soon, "a", Instant.now()));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> given().auth().oauth2(TestTokens.forRoles("supervisor"))
                .get(sla.url() + "/sla/at-risk?within=PT5M&size=500").then().statusCode(200)
                .body("contactId", hasItem(soon)));

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> given().auth().oauth2(TestTokens.forRoles("analyst"))
                .get(sla.url() + "/sla/compliance?groupBy=channel").then().statusCode(200)
                .body("groups.group", hasItem("chat")));

        given().auth().oauth2(TestTokens.forRoles("agent")).get(sla.url() + "/sla/at-risk?within=soon").then()
                .statusCode(400).contentType("application/problem+json").body("errors[0].field", equalTo("within"));
        given().auth().oauth2(TestTokens.forRoles("agent")).get(sla.url() + "/sla/at-risk?page=2147483647&size=500")
                .then().statusCode(400).contentType("application/problem+json").body("errors[0].field", equalTo("page"));
        given().auth().oauth2(TestTokens.forRoles("agent")).get(sla.url() + "/sla/at-risk?page=99999999999999999999")
                .then().statusCode(400).contentType("application/problem+json").body("errors[0].field", equalTo("page"));
        given().auth().oauth2(TestTokens.forRoles("agent")).urlEncodingEnabled(false).get(sla.url() + "/contacts/a%00b/sla")
                .then().statusCode(400).contentType("application/problem+json").body("errors[0].field", equalTo("id"));
        given().auth().oauth2(TestTokens.forRoles("analyst")).get(sla.url() + "/sla/compliance?groupBy=weather").then()
                .statusCode(400).body("errors[0].field", equalTo("groupBy"));
        // instants PostgreSQL cannot hold, and periods longer than the timers are kept, are refused naming the field
        given().auth().oauth2(TestTokens.forRoles("analyst")).get(sla.url() + "/sla/compliance?to=-999999999-01-01T00:00:00Z")
                .then().statusCode(400).contentType("application/problem+json").body("errors[0].field", equalTo("to"));
        given().auth().oauth2(TestTokens.forRoles("analyst"))
                .get(sla.url() + "/sla/compliance?from=2020-01-01T00:00:00Z&to=2026-01-01T00:00:00Z")
                .then().statusCode(400).contentType("application/problem+json").body("errors[0].field", equalTo("from"));
        given().auth().oauth2(TestTokens.forRoles("analyst")).get(sla.url() + "/sla/compliance?from=yesterday").then()
                .statusCode(400).body("errors[0].field", equalTo("from"));
        given().get(sla.url() + "/sla/at-risk").then().statusCode(401).contentType("application/problem+json");
        given().auth().oauth2(TestTokens.forRoles("intake")).get(sla.url() + "/sla/compliance").then().statusCode(403);
        given().auth().oauth2(TestTokens.forRoles("agent")).get(sla.url() + "/contacts/nobody/sla").then()
                .statusCode(404).body("detail", containsString("nobody"));
    }

    @Test
    void aRecordThatFailsInsideTheTransactionIsSetAsideAloneAndTheRecordsAroundItFlow() {
        String before = newContactId();
        String noCustomer = newContactId();
        String longCategory = newContactId();
        String after = newContactId();
        Instant now = Instant.now();
        send(received(before, Channel.PHONE, now),
                new ContactEvent.Received(noCustomer, null, null, Channel.CHAT, "s", "b", "delivery",
                        dev.pledge.events.Priority.NORMAL, null, now, now, null, null, 2), // reads fine, fails in the handler
                received(longCategory, Channel.PHONE, now, "c".repeat(61), 2), // longer than its column
                received(after, Channel.PHONE, now));

        List<TopicReader.Record> dead = SlaTestSupport.deadLetters(Duration.ofSeconds(30), noCustomer, longCategory);
        assertThat(dead).filteredOn(r -> noCustomer.equals(r.key())).singleElement().satisfies(r -> {
            assertThat(r.header("dead-letter-reason")).contains("pledge.contact.received").contains("NullPointerException");
            assertThat(r.header("dead-letter-topic")).isEqualTo(Topics.CONTACT_EVENTS);
            assertThat(r.header("ce_id")).isNotBlank();
        });
        assertThat(dead).filteredOn(r -> longCategory.equals(r.key())).singleElement()
                .satisfies(r -> assertThat(r.header("dead-letter-reason")).contains("too long"));
        for (String id : List.of(before, after)) {
            assertThat(slaEvents(id, has("pledge.sla.started", "first-response"), Duration.ofSeconds(20), Duration.ZERO))
                    .as(id).isNotEmpty();
        }
    }

    @Test
    void aReplyMadeInTimeWhoseRecordArrivesAfterTheBreachCorrectsIt() {
        String id = newContactId();
        Instant t0 = Instant.now();
        send(received(id, Channel.CHAT, t0)); // first response within 4 s
        slaEvents(id, has("pledge.sla.breached", "first-response"), Duration.ofSeconds(30), Duration.ZERO);

        send(new ContactEvent.AgentReplied(id, "agent-1", t0.plusMillis(1500))); // late record, in-time reply
        List<TopicReader.Record> events = slaEvents(id, has("pledge.sla.met", "first-response"),
                Duration.ofSeconds(20), Duration.ZERO);
        SlaEvent.Met met = events.stream().filter(r -> "pledge.sla.met".equals(r.header("ce_type")))
                .map(r -> EventJson.fromJson(r.value(), SlaEvent.Met.class))
                .filter(m -> m.metric().wire().equals("first-response")).findFirst().orElseThrow();
        assertThat(met.inTarget()).isTrue();
        assertThat(met.correctsBreach()).isTrue();
        assertThat(met.elapsed()).isEqualTo(Duration.ofMillis(1500));
        given().auth().oauth2(TestTokens.forRoles("agent")).get(sla.url() + "/contacts/" + id + "/sla").then()
                .statusCode(200).body("find { it.metric == 'first-response' }.inTarget", equalTo(true))
                .body("find { it.metric == 'first-response' }.breached", equalTo(false));
    }

    @Test
    void aTimerRowHeldByAnotherTransactionDoesNotDelayTheOthersAndFiresOnceReleased() throws Exception {
        String held = newContactId();
        String free = newContactId();
        Instant t0 = Instant.now();
        send(received(held, Channel.CHAT, t0), received(free, Channel.CHAT, t0));
        slaEvents(held, has("pledge.sla.started", "first-response"), Duration.ofSeconds(20), Duration.ZERO);
        slaEvents(free, has("pledge.sla.started", "first-response"), Duration.ofSeconds(20), Duration.ZERO);

        try (Connection c = TestPostgres.get().connect(SlaTestSupport.DATABASE)) {
            c.setAutoCommit(false);
            c.createStatement().executeQuery("SELECT * FROM sla_timer WHERE contact_id = '" + held + "' FOR UPDATE");
            List<TopicReader.Record> freeEvents = slaEvents(free, has("pledge.sla.breached", "first-response"),
                    Duration.ofSeconds(20), Duration.ZERO);
            SlaEvent.Breached breach = freeEvents.stream().filter(r -> "pledge.sla.breached".equals(r.header("ce_type")))
                    .map(r -> EventJson.fromJson(r.value(), SlaEvent.Breached.class)).findFirst().orElseThrow();
            assertThat(Duration.between(breach.deadline(), breach.at())).as("lateness of the breach not held up")
                    .isLessThan(Duration.ofSeconds(1));
            assertThat(count(slaEvents(held, rs -> true, Duration.ZERO, Duration.ZERO), "pledge.sla.breached",
                    "first-response")).as("held row not fired while held").isZero();
            c.commit();
        }
        List<TopicReader.Record> heldEvents = slaEvents(held, has("pledge.sla.breached", "first-response"),
                Duration.ofSeconds(10), Duration.ofSeconds(2));
        assertThat(count(heldEvents, "pledge.sla.breached", "first-response")).isEqualTo(1);
    }

    @Test
    void anEventIsAppliedUnderThePolicyVersionItNamesWaitingForItButNeverUnderAnother() {
        String waits = newContactId();
        send(received(waits, Channel.CHAT, Instant.now(), "delivery", 3)); // version 3 is not published yet
        await().pollDelay(Duration.ofSeconds(1)).until(() -> true);
        SlaTestSupport.publishPolicy(3, SlaTestSupport.TEST_SLA.replace("firstResponse: PT4S", "firstResponse: PT7S"));
        SlaEvent.Started started = slaEvents(waits, has("pledge.sla.started", "first-response"), Duration.ofSeconds(20),
                Duration.ZERO).stream().filter(r -> "pledge.sla.started".equals(r.header("ce_type")))
                .map(r -> EventJson.fromJson(r.value(), SlaEvent.Started.class))
                .filter(e -> e.metric().wire().equals("first-response")).findFirst().orElseThrow();
        assertThat(started.policyVersion()).isEqualTo(3);
        assertThat(started.target()).isEqualTo(Duration.ofSeconds(7));

        String never = newContactId();
        send(received(never, Channel.CHAT, Instant.now(), "delivery", 99));
        assertThat(SlaTestSupport.deadLetters(Duration.ofSeconds(30), never)).filteredOn(r -> never.equals(r.key()))
                .singleElement().satisfies(r -> assertThat(r.header("dead-letter-reason")).contains("policy version 99"));
        assertThat(slaEvents(never, rs -> false, Duration.ZERO, Duration.ofSeconds(1))).isEmpty();
    }

    @Test
    void processedIdsAndEndedTimersArePrunedAfterTheirRetention() {
        String id = newContactId();
        TestPostgres.get().execute(SlaTestSupport.DATABASE,
                "INSERT INTO processed_event VALUES ('old-" + id + "', now() - interval '15 days'), ('new-" + id + "', now())",
                timerRow(id, "first-response", "now() - interval '401 days'"),
                timerRow(id, "resolution", "now() - interval '1 day'"));
        await().atMost(Duration.ofSeconds(20)).until(() -> TestPostgres.get().count(SlaTestSupport.DATABASE,
                "SELECT count(*) FROM processed_event WHERE event_id = 'old-" + id + "'") == 0
                && TestPostgres.get().count(SlaTestSupport.DATABASE, "SELECT count(*) FROM sla_timer WHERE contact_id = '"
                + id + "' AND metric = 'first-response'") == 0);
        assertThat(TestPostgres.get().count(SlaTestSupport.DATABASE,
                "SELECT count(*) FROM processed_event WHERE event_id = 'new-" + id + "'")).isEqualTo(1);
        assertThat(TestPostgres.get().count(SlaTestSupport.DATABASE,
                "SELECT count(*) FROM sla_timer WHERE contact_id = '" + id + "'")).isEqualTo(1);
    }

    private static String timerRow(String id, String metric, String endedAt) {
        return "INSERT INTO sla_timer (contact_id, metric, cycle, kafka_partition, state, rule, calendar, policy_version,"
                + " target_ms, used_ms, warned_percent, breached, started_at, ended_at) VALUES ('" + id + "', '" + metric
                + "', 1, 0, 'met', 'r', '24x7', 2, 1000, 10, 0, false, " + endedAt + ", " + endedAt + ")";
    }

    @Test
    void theConsumersAndTheRelaysTransactionsAreMeasuredOnTheManagementPort() {
        // where an event's time goes (bench/README.md): events per transaction, its duration, the age of its
        // oldest record at the commit; and the same for the relay's batches
        String id = newContactId();
        send(received(id, Channel.EMAIL, Instant.now()));
        slaEvents(id, has("pledge.sla.started", "first-response"), Duration.ofSeconds(20), Duration.ZERO);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> given().get(sla.managementUrl() + "/q/metrics").then()
                .statusCode(200)
                .body(containsString("pledge_consumer_batch_events_count"))
                .body(containsString("pledge_consumer_batch_duration_seconds{quantile=\"0.99\"}"))
                .body(containsString("pledge_consumer_event_age_seconds_max"))
                .body(containsString("pledge_outbox_batch_events_count"))
                .body(containsString("pledge_outbox_batch_duration_seconds_count")));
        String metrics = given().get(sla.managementUrl() + "/q/metrics").asString();
        assertThat(sample(metrics, "pledge_consumer_batch_events_count")).isGreaterThanOrEqualTo(1);
        assertThat(sample(metrics, "pledge_outbox_batch_events_sum")).isGreaterThanOrEqualTo(1);
    }

    private static double sample(String metrics, String name) {
        return metrics.lines().filter(l -> l.startsWith(name + " ")).mapToDouble(l -> Double.parseDouble(l.substring(
                l.lastIndexOf(' ') + 1))).sum();
    }

    @Test
    void readinessReportsThePolicyFeed() {
        given().get(sla.managementUrl() + "/q/health/ready").then().statusCode(200)
                .body("checks.find { it.name == 'policy-feed' }.status", equalTo("UP"))
                .body("checks.find { it.name == 'policy-feed' }.data.newestVersion",
                        org.hamcrest.Matchers.greaterThanOrEqualTo(2));
    }
}
