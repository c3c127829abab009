package dev.pledge.bench;

import dev.pledge.events.EventJson;
import dev.pledge.policy.PolicyLoader;
import dev.pledge.testinfra.ServiceProcess;
import dev.pledge.testinfra.TestPostgres;
import dev.pledge.testinfra.TestTokens;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The what-if replay over {@code --contacts} contacts (1 M by default) received over the last 90 days, each with
 * its recorded history as feedback-service keeps it ({@code fb_history}: received; an agent reply after up to 20
 * minutes; resolved two hours later for three in four) and its recorded outcomes ({@code fb_sla}), under the
 * default policy's rules and calendars. Written with set-based SQL into the service's own tables, then
 * {@code ANALYZE}d. Then, with the service running: {@code POST /insights/what-if} with a candidate (the default
 * policy with every first response doubled), followed to its end; a second {@code POST} while it runs (429 expected).
 *
 * <p>While it runs, and for {@code --probe-seconds} before and after, a probe sends requests one at a time to
 * {@code POST /feedback} (an answer with a token it refuses: the event loop and the token check, no database
 * write) and reads the heap every two seconds. Goal (issue 28): under 60 s on this 2-core machine, memory
 * bounded, the probe's p99 unchanged while it runs. Reports contacts replayed per second.
 */
public final class WhatIfBench {
    static final String DATABASE = "feedback_whatif_bench";

    public static void main(String[] args) throws Exception {
        int contacts = BenchSupport.intArg(args, "--contacts", 1_000_000);
        int probeSeconds = BenchSupport.intArg(args, "--probe-seconds", 20);
        Path root = BenchSupport.root();
        String fsync = BenchSupport.fsync(args);
        Path out = BenchSupport.out(args, "what-if", fsync);
        BenchSupport.createTopics();
        TestPostgres pg = TestPostgres.get();
        pg.ensureDatabase(DATABASE);
        Path jar = root.resolve("feedback-service/target/quarkus-app/quarkus-run.jar");
        Map<String, String> env = Map.of("PLEDGE_FEEDBACK_TOKEN_KEY", BenchSupport.FEEDBACK_TOKEN_KEY);
        long have;
        try (ServiceProcess migrated = ServiceProcess.start(jar, DATABASE, env, BenchSupport.SERVICE_JVM)) {
            have = pg.count(DATABASE, "SELECT count(DISTINCT contact_id) FROM fb_history WHERE contact_id LIKE 'w-%'");
        }
        if (have != contacts) {
            long t = System.nanoTime();
            generate(pg, contacts);
            BenchSupport.log("generated %,d contacts and their histories in %d s", contacts,
                    (System.nanoTime() - t) / 1_000_000_000);
        } else {
            BenchSupport.log("reusing the %,d contacts already generated", contacts);
        }
        String candidate = doubledFirstResponses();
        try (ServiceProcess service = ServiceProcess.start(jar, DATABASE, env, BenchSupport.SERVICE_JVM);
                AutoCloseable scraper = BenchSupport.scrapeEvery(service, Duration.ofSeconds(5))) {
            Thread.sleep(3000); // the policy feed reads version 1
            HttpClient http = HttpClient.newHttpClient();
            String token = TestTokens.forRoles("analyst");
            Instant to = Instant.now().truncatedTo(ChronoUnit.SECONDS);
            Instant from = to.minus(Duration.ofDays(90));
            URI start = URI.create(service.url() + "/insights/what-if?from=" + from + "&to=" + to);

            // a short replay first: the replay's code compiled before the measured one, as in a running service
            HttpResponse<String> warm = post(http, URI.create(service.url() + "/insights/what-if?from=" + from + "&to="
                    + from.plus(Duration.ofDays(3))), token, candidate);
            follow(http, service, warm.headers().firstValue("Location").orElseThrow(), token, null);

            BenchSupport.Stats before = probe(service, Duration.ofSeconds(probeSeconds));
            AtomicBoolean running = new AtomicBoolean(true);
            List<Long> during = Collections.synchronizedList(new ArrayList<>());
            Thread prober = new Thread(() -> probeInto(service, running, during), "probe");
            prober.start();
            long t = System.nanoTime();
            HttpResponse<String> accepted = post(http, start, token, candidate);
            if (accepted.statusCode() != 202) {
                throw new IllegalStateException("POST /insights/what-if answered " + accepted.statusCode() + ": " + accepted.body());
            }
            HttpResponse<String> second = post(http, start, token, candidate);
            BenchSupport.log("a second replay while one runs: %d %s", second.statusCode(),
                    second.headers().firstValue("Retry-After").map(s -> "(Retry-After " + s + ")").orElse(""));
            List<Long> heap = new ArrayList<>();
            Map<String, Object> job = follow(http, service, accepted.headers().firstValue("Location").orElseThrow(), token, heap);
            double seconds = (System.nanoTime() - t) / 1e9;
            running.set(false);
            prober.join();
            BenchSupport.Stats whileReplaying = BenchSupport.Stats.of(new ArrayList<>(during));
            BenchSupport.Stats after = probe(service, Duration.ofSeconds(probeSeconds));

            @SuppressWarnings("unchecked")
            Map<String, Object> report = (Map<String, Object>) job.get("report");
            long replayed = ((Number) job.get("replayed")).longValue();
            long maxHeapMb = heap.stream().mapToLong(Long::longValue).max().orElse(-1) / 1_048_576;
            Result result = new Result(Instant.now(), fsync, contacts, 90, (String) job.get("state"), replayed,
                    Math.round(seconds * 10) / 10.0, Math.round(replayed / seconds), maxHeapMb, second.statusCode(),
                    before, whileReplaying, after, ((Number) report.get("changed")).longValue(),
                    ((Number) report.get("percentNow")).doubleValue(), ((Number) report.get("percentCandidate")).doubleValue(),
                    Runtime.getRuntime().availableProcessors(), BenchSupport.SERVICE_JVM);
            System.out.printf(Locale.ROOT, "%nfeedback-service: what-if over %,d contacts and 90 days, %d cores (goal: < 60 s)%n",
                    contacts, result.cores());
            System.out.printf(Locale.ROOT, "  %s: %,d contacts replayed in %.1f s = %,d contacts/s; heap at most %,d MB (-Xmx512m)%n",
                    result.state(), replayed, result.seconds(), result.contactsPerSecond(), maxHeapMb);
            System.out.printf(Locale.ROOT, "  first responses met: %.1f %% as recorded, %.1f %% under the candidate; %,d outcomes change%n",
                    result.percentNow(), result.percentCandidate(), result.changed());
            System.out.printf(Locale.ROOT, "  a second replay meanwhile: %d%n", second.statusCode());
            System.out.printf(Locale.ROOT, "  POST /feedback (refused token) one at a time: before p50 %d p99 %d ms (%d); during p50 %d p99 %d ms (%d); after p50 %d p99 %d ms (%d)%n",
                    before.medianMs(), before.p99Ms(), before.count(), whileReplaying.medianMs(), whileReplaying.p99Ms(),
                    whileReplaying.count(), after.medianMs(), after.p99Ms(), after.count());
            Files.createDirectories(out.getParent());
            Files.writeString(out, EventJson.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(result) + "\n");
            BenchSupport.log("written %s", out);
        }
        System.exit(0);
    }

    record Result(Instant at, String fsync, int contacts, int days, String state, long replayed, double seconds,
            long contactsPerSecond, long maxHeapMb, int secondReplayStatus, BenchSupport.Stats probeBefore,
            BenchSupport.Stats probeDuring, BenchSupport.Stats probeAfter, long changed, double percentNow,
            double percentCandidate, int cores, List<String> serviceJvm) {
    }

    private static HttpResponse<String> post(HttpClient http, URI uri, String token, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/yaml").POST(HttpRequest.BodyPublishers.ofString(body))
                .timeout(Duration.ofMinutes(1)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Polls the job every second until it ends; samples the heap meanwhile when {@code heap} is given. */
    private static Map<String, Object> follow(HttpClient http, ServiceProcess service, String location, String token,
            List<Long> heap) throws Exception {
        URI uri = URI.create(location.startsWith("http") ? location : service.url() + location);
        while (true) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + token)
                    .build(), HttpResponse.BodyHandlers.ofString());
            @SuppressWarnings("unchecked")
            Map<String, Object> job = EventJson.mapper().readValue(r.body(), Map.class);
            if (heap != null) {
                heap.add((long) BenchSupport.metrics(service).entrySet().stream()
                        .filter(e -> e.getKey().startsWith("jvm_memory_used_bytes") && e.getKey().contains("area=\"heap\""))
                        .mapToDouble(Map.Entry::getValue).sum());
                BenchSupport.log("%s: %s of %s contacts", job.get("state"), job.get("replayed"), job.get("total"));
            }
            if (!"running".equals(job.get("state"))) {
                return job;
            }
            Thread.sleep(heap == null ? 200 : 2000);
        }
    }

    private static BenchSupport.Stats probe(ServiceProcess service, Duration length) {
        AtomicBoolean running = new AtomicBoolean(true);
        List<Long> ms = new ArrayList<>();
        Thread stopper = new Thread(() -> {
            try {
                Thread.sleep(length.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            running.set(false);
        });
        stopper.start();
        probeInto(service, running, ms);
        return BenchSupport.Stats.of(ms);
    }

    /** {@code POST /feedback} one at a time, 20 a second, until {@code running} is false. */
    private static void probeInto(ServiceProcess service, AtomicBoolean running, List<Long> ms) {
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest request = HttpRequest.newBuilder(URI.create(service.url() + "/feedback"))
                .header("Content-Type", "application/json").timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString("{\"token\":\"bench.not-a-token\",\"score\":4}",
                        StandardCharsets.UTF_8)).build();
        while (running.get()) {
            long t = System.nanoTime();
            try {
                http.send(request, HttpResponse.BodyHandlers.discarding());
                ms.add((System.nanoTime() - t) / 1_000_000);
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Exception e) {
                ms.add(30_000L);
            }
        }
    }

    /** The default policy with every first-response target doubled. */
    private static String doubledFirstResponses() {
        String text = PolicyLoader.defaultPolicyText();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("firstResponse: PT(\\d+)([MH])").matcher(text);
        StringBuilder doubled = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(doubled, "firstResponse: PT" + (2 * Integer.parseInt(m.group(1))) + m.group(2));
        }
        m.appendTail(doubled);
        return doubled.toString();
    }

    private static void generate(TestPostgres pg, int contacts) throws Exception {
        try (Connection c = pg.connect(DATABASE); Statement s = c.createStatement()) {
            for (String table : List.of("fb_contact", "fb_sla", "fb_history", "fb_escalation", "fb_survey", "fb_pause")) {
                s.execute("TRUNCATE " + table);
            }
            s.execute("""
                    CREATE TEMP TABLE gen AS
                    SELECT row_number() OVER (ORDER BY r) AS i, r, fr_ms,
                        (ARRAY['email','chat','phone','social','web','sms'])[1 + (n %% 6)] AS ch
                    FROM (SELECT n, now() - interval '3 hours' - random() * interval '90 days' AS r,
                            (random() * 20 * 60000)::bigint AS fr_ms
                        FROM generate_series(1, %d) n) x
                    ORDER BY r""".formatted(contacts));
            s.execute("""
                    CREATE FUNCTION pg_temp.ts(t timestamptz) RETURNS text LANGUAGE sql IMMUTABLE AS
                    $$ SELECT to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') $$""");
            s.execute("""
                    INSERT INTO fb_contact (contact_id, customer_id, channel, priority, tier, category, team, status,
                        received_at, first_response_at, resolved_at, kafka_partition, policy_version)
                    SELECT 'w-' || i, 'cust-' || (i % 200000), ch, 'normal', 'standard', 'delivery', 'general',
                        CASE WHEN i % 4 = 0 THEN 'open' ELSE 'resolved' END, r, r + fr_ms * interval '1 millisecond',
                        CASE WHEN i % 4 <> 0 THEN r + interval '2 hours' END, i % 6, 1
                    FROM gen""");
            s.execute("""
                    INSERT INTO fb_history (contact_id, seq, arrived_at, event_id, ce_type, event)
                    SELECT 'w-' || i, 0, r, 'w-' || i || '-0', 'pledge.contact.received', json_build_object(
                        'contactId', 'w-' || i, 'customer', json_build_object('id', 'cust-' || (i % 200000),
                        'name', 'Bench', 'tier', 'standard'), 'channel', ch, 'subject', 'Parcel',
                        'body', 'Where is my parcel? It was due on Tuesday.', 'category', 'delivery',
                        'priority', 'normal', 'occurredAt', pg_temp.ts(r), 'receivedAt', pg_temp.ts(r),
                        'policyVersion', 1)::text
                    FROM gen
                    UNION ALL
                    SELECT 'w-' || i, 1, r + fr_ms * interval '1 millisecond', 'w-' || i || '-1',
                        'pledge.contact.agent-replied', json_build_object('contactId', 'w-' || i, 'agentId', 'agent-1',
                        'occurredAt', pg_temp.ts(r + fr_ms * interval '1 millisecond'))::text
                    FROM gen
                    UNION ALL
                    SELECT 'w-' || i, 2, r + interval '2 hours', 'w-' || i || '-2', 'pledge.contact.status-changed',
                        json_build_object('contactId', 'w-' || i, 'from', 'open', 'to', 'resolved',
                        'changedBy', 'agent-1', 'occurredAt', pg_temp.ts(r + interval '2 hours'))::text
                    FROM gen WHERE i % 4 <> 0""");
            s.execute("""
                    INSERT INTO fb_sla (contact_id, metric, cycle, started_at, rule, calendar, target_ms, deadline,
                        breached_at, ended_at, elapsed_ms, in_target)
                    SELECT 'w-' || i, 'first-response', 1, r, ch, '24x7', 600000, r + interval '10 minutes',
                        CASE WHEN fr_ms > 600000 THEN r + interval '10 minutes' END, r + fr_ms * interval '1 millisecond',
                        fr_ms, fr_ms <= 600000
                    FROM gen""");
            s.execute("ANALYZE");
        }
    }
}
