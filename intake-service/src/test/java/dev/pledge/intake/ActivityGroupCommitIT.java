package dev.pledge.intake;

import static dev.pledge.intake.IdempotencyIT.activityWithKey;
import static dev.pledge.intake.IntakeTestSupport.contactJson;
import static dev.pledge.intake.IntakeTestSupport.count;
import static dev.pledge.intake.IntakeTestSupport.newCustomer;
import static dev.pledge.intake.IntakeTestSupport.postAccepted;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pledge.events.ContactEvent;
import dev.pledge.events.EventJson;
import dev.pledge.testinfra.PledgeServers;
import dev.pledge.testinfra.TestTokens;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

/**
 * Activities that arrive together are applied together (group commit), each as it would have been alone:
 * in arrival order on its contact's latest state, a retry answered and applied once, a key reused for another
 * body 422, a refused activity answered with its own problem and its key given back, a contact the caller may
 * not see 404, and every contact's events published once each, in the order they were applied.
 */
@QuarkusTest
@WithTestResource(value = PledgeServers.class, initArgs = @ResourceArg(name = "database", value = "intake"))
class ActivityGroupCommitIT {
    static final String AGENT = TestTokens.forRoles("agent");

    record Call(String kind, String contactId, String key, String json, String token) {
        Response send() {
            return activityWithKey(token, contactId, key, json);
        }
    }

    @Test
    void aBurstOfActivitiesOnFewContactsIsAppliedInGroupsEachAsItWouldBeAlone() throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        List<String> contacts = IntStream.range(0, 3)
                .mapToObj(i -> postAccepted(contactJson(newCustomer(), "email", "Where is my refund " + i + "?"))).toList();
        String due = Instant.now().plus(2, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS).toString();
        List<Call> calls = new ArrayList<>();
        for (String id : contacts) {
            for (int i = 0; i < 20; i++) {
                String json = "{\"type\": \"promised\", \"what\": \"Refund " + i + "\", \"due\": \"" + due + "\"}";
                String key = run + "-" + id + "-" + i;
                calls.add(new Call("promised", id, key, json, AGENT));
                calls.add(new Call("promised", id, key, json, AGENT)); // its retry, in the same group or another
            }
            for (int i = 0; i < 3; i++) {
                calls.add(new Call("refused", id, run + "-bad-" + id + "-" + i, "{\"type\": \"promise-kept\", \"promise\": 999}",
                        AGENT));
            }
            calls.add(new Call("replied", id, null, "{\"type\": \"customer-replied\"}", AGENT));
        }
        String reused = run + "-reused";
        calls.add(new Call("conflict", contacts.get(0), reused, "{\"type\": \"agent-replied\"}", AGENT));
        calls.add(new Call("conflict", contacts.get(0), reused, "{\"type\": \"updated\", \"assignee\": \"ann\"}", AGENT));
        calls.add(new Call("missing", "c-" + UUID.randomUUID(), run + "-missing", "{\"type\": \"agent-replied\"}", AGENT));
        String otherFrontEnd = TestTokens.forSubject("another-front-end", TestTokens.AUDIENCE, "intake");
        calls.add(new Call("unseen", contacts.get(1), run + "-unseen", "{\"type\": \"agent-replied\"}", otherFrontEnd));
        Collections.shuffle(calls);

        List<Response> answers = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(64);
        try {
            List<Callable<Response>> sends = calls.stream().map(c -> (Callable<Response>) c::send).toList();
            List<Future<Response>> futures = pool.invokeAll(sends);
            for (Future<Response> f : futures) {
                answers.add(f.get());
            }
        } finally {
            pool.shutdownNow();
        }

        List<Integer> conflicts = new ArrayList<>();
        Map<String, Set<Integer>> promiseNumbersAnswered = new LinkedHashMap<>();
        for (int i = 0; i < calls.size(); i++) {
            Call call = calls.get(i);
            Response r = answers.get(i);
            switch (call.kind()) {
                case "promised", "replied" -> {
                    assertThat(r.statusCode()).as("%s: %s", call, r.asString()).isEqualTo(200);
                    if (call.kind().equals("promised")) {
                        promiseNumbersAnswered.computeIfAbsent(call.contactId() + call.key(), k -> new HashSet<>())
                                .add(r.path("promises"));
                    }
                }
                case "refused" -> {
                    assertThat(r.statusCode()).as("%s: %s", call, r.asString()).isEqualTo(400);
                    assertThat(r.contentType()).startsWith("application/problem+json");
                    assertThat(r.<List<String>>path("errors.field")).containsExactly("promise");
                }
                case "conflict" -> conflicts.add(r.statusCode());
                case "missing", "unseen" -> assertThat(r.statusCode()).as("%s: %s", call, r.asString()).isEqualTo(404);
                default -> throw new IllegalStateException(call.kind());
            }
        }
        assertThat(conflicts).containsExactlyInAnyOrder(200, 422);

        for (String id : contacts) {
            // Twenty promises made, each once though each was sent twice; numbered 1 to 20 in the order applied.
            assertThat(count("SELECT promises FROM contact WHERE id = '" + id + "'")).isEqualTo(20);
            List<ContactEvent> events = new ArrayList<>();
            Set<String> seen = new HashSet<>();
            // Delivery is at least once: the same event (ce_id) is counted once.
            for (var r : ContactIntakeIT.publishedFor(id, 1 + 20 + 1)) {
                if (seen.add(r.header("ce_id"))) {
                    events.add((ContactEvent) EventJson.fromJson(r.header("ce_type"),
                            r.value().getBytes(StandardCharsets.UTF_8)));
                }
            }
            List<Integer> made = events.stream().filter(e -> e instanceof ContactEvent.PromiseMade)
                    .map(e -> ((ContactEvent.PromiseMade) e).promise()).toList();
            assertThat(made).as("promises published for %s, in order", id)
                    .containsExactlyElementsOf(IntStream.rangeClosed(1, 20).boxed().toList());
            assertThat(events.stream().filter(e -> e instanceof ContactEvent.CustomerReplied)).hasSize(1);
            assertThat(events.get(0)).isInstanceOf(ContactEvent.Received.class);
        }
        // Each promise's first answer shows the number it got, and a retry at most the state after it
        Set<Integer> firstAnswers = new HashSet<>();
        promiseNumbersAnswered.values().forEach(numbers -> firstAnswers.add(Collections.min(numbers)));
        assertThat(firstAnswers).containsExactlyInAnyOrderElementsOf(IntStream.rangeClosed(1, 20).boxed().toList());

        // A refused activity's key was given back: the same key now carries a valid request
        activityWithKey(AGENT, contacts.get(2), run + "-bad-" + contacts.get(2) + "-0", "{\"type\": \"agent-replied\"}")
                .then().statusCode(200);
        assertThat(count("SELECT count(*) FROM activity_key WHERE idempotency_key LIKE '" + run + "-%'"))
                .as("keys kept: 60 promises, the reused key, the bad key used again").isEqualTo(62);

        // The burst was applied in groups, not one transaction per activity.
        int port = ConfigProvider.getConfig().getValue("quarkus.management.test-port", Integer.class);
        String metrics = given().get("http://localhost:" + port + "/q/metrics").then().statusCode(200).extract().asString();
        double largest = metrics.lines().filter(l -> l.startsWith("pledge_intake_activity_group_size_max"))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).max().orElse(0);
        assertThat(largest).as("largest group of activities in the metrics").isGreaterThan(1);
    }
}
