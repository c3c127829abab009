package dev.pledge.intake;

import static dev.pledge.intake.IntakeTestSupport.contactJson;
import static dev.pledge.intake.IntakeTestSupport.count;
import static dev.pledge.intake.IntakeTestSupport.newCustomer;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pledge.events.ContactEvent;
import dev.pledge.events.EventJson;
import dev.pledge.testinfra.PledgeServers;
import dev.pledge.testinfra.TestPostgres;
import dev.pledge.testinfra.TestTokens;
import dev.pledge.testinfra.TopicReader;
import dev.pledge.events.Topics;
import java.time.Duration;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.sql.Connection;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * Contacts that arrive together are written together (group commit), and nothing a single request
 * used to get changes: a retry gets the first answer, a key reused with another body is 422 for that
 * request only, repeat contacts are linked, every contact has exactly one event, no 5xx.
 */
@QuarkusTest
@WithTestResource(value = PledgeServers.class, initArgs = @ResourceArg(name = "database", value = "intake"))
class GroupCommitIT {
    static final String INTAKE = TestTokens.forRoles("intake");

    @Test
    void aBurstOfNewContactsRetriesAndAConflictingKeyIsAnsweredRequestByRequest() throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        String sameCustomer = newCustomer();
        List<Callable<Response>> calls = new ArrayList<>();
        List<String> kinds = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            // Each distinct contact twice under its key (a retry in the same or the next group).
            String json = contactJson(newCustomer(), "chat", "Where is my parcel " + i + "?");
            String key = run + "-" + i;
            for (int copy = 0; copy < 2; copy++) {
                calls.add(() -> IdempotencyIT.postWithKey(INTAKE, key, json));
                kinds.add("retried:" + key);
            }
        }
        for (int i = 0; i < 20; i++) {
            String json = contactJson(sameCustomer, "email", "My parcel has not been delivered, message " + i);
            calls.add(() -> IdempotencyIT.postWithKey(INTAKE, null, json));
            kinds.add("repeat");
        }
        String conflicting = run + "-conflict";
        calls.add(() -> IdempotencyIT.postWithKey(INTAKE, conflicting, contactJson(newCustomer(), "chat", "one body")));
        kinds.add("conflict");
        calls.add(() -> IdempotencyIT.postWithKey(INTAKE, conflicting, contactJson(newCustomer(), "chat", "other body")));
        kinds.add("conflict");
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < calls.size(); i++) {
            order.add(i);
        }
        Collections.shuffle(order);

        ExecutorService pool = Executors.newFixedThreadPool(64);
        Map<Integer, Response> answers = new HashMap<>();
        try {
            List<Callable<Response>> shuffled = order.stream().map(calls::get).toList();
            List<Future<Response>> futures = pool.invokeAll(shuffled);
            for (int i = 0; i < futures.size(); i++) {
                answers.put(order.get(i), futures.get(i).get());
            }
        } finally {
            pool.shutdownNow();
        }

        Map<String, List<String>> idsByKey = new HashMap<>();
        List<Integer> conflictStatuses = new ArrayList<>();
        List<String> repeatIds = new ArrayList<>();
        for (int i = 0; i < calls.size(); i++) {
            Response r = answers.get(i);
            String kind = kinds.get(i);
            if (kind.equals("conflict")) {
                conflictStatuses.add(r.statusCode());
                continue;
            }
            assertThat(r.statusCode()).as("%s: %s", kind, r.asString()).isEqualTo(202);
            if (kind.equals("repeat")) {
                repeatIds.add(r.path("id"));
            } else {
                idsByKey.computeIfAbsent(kind, k -> new ArrayList<>()).add(r.path("id"));
            }
        }
        assertThat(conflictStatuses).containsExactlyInAnyOrder(202, 422);
        idsByKey.forEach((key, ids) -> assertThat(ids).as(key).hasSize(2).containsOnly(ids.get(0)));
        assertThat(count("SELECT count(*) FROM contact WHERE idempotency_key LIKE '" + run + "-%'")).isEqualTo(61);
        List<String> contacts = new ArrayList<>(repeatIds);
        idsByKey.values().forEach(ids -> contacts.add(ids.get(0)));
        List<TopicReader.Record> published;
        try (TopicReader reader = new TopicReader(Topics.CONTACT_EVENTS)) {
            reader.readUntil(rs -> contacts.stream().allMatch(id -> rs.stream().anyMatch(r -> id.equals(r.key()))),
                    Duration.ofSeconds(30));
            published = reader.readFor(Duration.ofSeconds(2));
        }
        for (String id : contacts) {
            // One event per contact. Delivery is at least once (a producer retry may write a record twice, as on
            // a topic created by its first write), so the same event is counted once, by its ce_id.
            assertThat(published.stream().filter(r -> id.equals(r.key())).map(r -> r.header("ce_id")).distinct())
                    .as("events of %s", id).hasSize(1);
        }

        // Repeats of one customer and category: each links to an earlier contact of the same customer. Two groups
        // written at the same moment cannot see each other's rows, as two single requests could not: at most one
        // unlinked contact per concurrent writer.
        Map<String, String> repeatOf = new HashMap<>();
        try (Connection c = TestPostgres.get().connect(IntakeTestSupport.DATABASE);
                ResultSet rs = c.createStatement().executeQuery(
                        "SELECT id, repeat_of FROM contact WHERE customer_id = '" + sameCustomer + "' ORDER BY received_at")) {
            while (rs.next()) {
                repeatOf.put(rs.getString(1), rs.getString(2));
            }
        }
        assertThat(repeatOf.keySet()).containsExactlyInAnyOrderElementsOf(repeatIds);
        assertThat(repeatOf.values().stream().filter(v -> v == null).count()).isBetween(1L, 2L);
        repeatOf.values().stream().filter(v -> v != null).forEach(v -> assertThat(repeatOf).containsKey(v));
        String linked = repeatOf.entrySet().stream().filter(e -> e.getValue() != null).findFirst().orElseThrow().getKey();
        ContactEvent.Received event = EventJson.fromJson(published.stream().filter(r -> linked.equals(r.key()))
                .findFirst().orElseThrow().value(), ContactEvent.Received.class);
        assertThat(event.repeatOf()).isEqualTo(repeatOf.get(linked));

        // The burst was written in groups, not one transaction per contact.
        int port = org.eclipse.microprofile.config.ConfigProvider.getConfig()
                .getValue("quarkus.management.test-port", Integer.class);
        String metrics = given().get("http://localhost:" + port + "/q/metrics").then().statusCode(200).extract().asString();
        double largest = metrics.lines().filter(l -> l.startsWith("pledge_intake_group_size_max"))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).max().orElse(0);
        assertThat(largest).as("largest group in the metrics").isGreaterThan(1);
    }
}
