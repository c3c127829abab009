package dev.pledge.bench;

import static dev.pledge.bench.BenchSupport.intArg;
import static dev.pledge.bench.BenchSupport.log;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pledge.events.Topics;
import dev.pledge.testinfra.ServiceProcess;
import dev.pledge.testinfra.TcpProxy;
import dev.pledge.testinfra.TestKafka;
import dev.pledge.testinfra.TestPostgres;
import dev.pledge.testinfra.TestTokens;
import dev.pledge.testinfra.TopicReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;

/**
 * The fault run of issue 27: the four services as {@code ./pledge up} runs them, their database behind a proxy
 * the run can freeze and cut, the broker stopped and started, while clients post contacts and activities at a
 * steady rate and retry every failure with the same {@code Idempotency-Key} until it is accepted. Faults, one
 * after another with steady load between: each service killed (-9) and started again, the broker away for 30 s,
 * PostgreSQL frozen for 20 s (nothing answers, nothing closes), PostgreSQL "restarted" (every connection cut,
 * back after 5 s). Afterwards it waits until every accepted contact is in every service, reads every topic from
 * the start and counts effects by meaning: one contact.received per contact, one sla.started and at most one
 * sla.breached per timer, at most one survey per contact, one escalation.raised per rule decision.
 */
public final class ChaosBench {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Short targets so that timers fire during the run; every resolved contact is surveyed. */
    private static final String SLA = """
            sla:
              warnings: [50]
              pauses:
                resolution: [pending]
              rules:
                - name: chat
                  when: { channels: [chat] }
                  firstResponse: PT15S
                  resolution: PT2M
                - name: fallback
                  firstResponse: PT30S
                  resolution: PT3M
            """;
    private static final String FEEDBACK = """
            feedback:
              fatigueWindow: PT1S
              surveys:
                - kind: csat
                  after: resolved
                  delay: PT2S
                  expiresAfter: PT1H
            """;

    private final Map<String, ServiceProcess> services = new ConcurrentHashMap<>();
    private final Map<String, String> databases = Map.of("intake-service", "chaos_intake", "sla-service", "chaos_sla",
            "escalation-service", "chaos_escalation", "feedback-service", "chaos_feedback");
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final Path root = BenchSupport.root();
    private TcpProxy pgProxy;
    private final Set<String> accepted = ConcurrentHashMap.newKeySet();
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong retries = new AtomicLong();
    private final Map<Integer, AtomicLong> statuses = new ConcurrentHashMap<>();
    private final List<Long> acceptanceMs = java.util.Collections.synchronizedList(new ArrayList<>());
    private volatile boolean loading = true;
    /** Clients: each request (with its retries) on one of these; follow-ups are scheduled, never slept for. */
    private final ExecutorService clients = Executors.newFixedThreadPool(64);
    private final java.util.concurrent.ScheduledExecutorService later = Executors.newSingleThreadScheduledExecutor();

    private final int soakMinutes;

    private ChaosBench(int soakMinutes) {
        this.soakMinutes = soakMinutes;
    }

    /** {@code bench/run chaos}: the faults; {@code bench/run soak} ({@code --soak-minutes 30}): none, sampled each minute. */
    public static void main(String[] args) throws Exception {
        int soak = intArg(args, "--soak-minutes", 0);
        BenchSupport.fsync(args); // on by default, as ./pledge up runs PostgreSQL
        new ChaosBench(soak).run(intArg(args, "--rate", 30), intArg(args, "--gap-seconds", 20),
                BenchSupport.stringArg(args, "--out", soak > 0 ? "bench/results/soak.json" : "bench/results/chaos.json"));
        System.exit(0);
    }

    private void run(int rate, int gapSeconds, String out) throws Exception {
        TestPostgres pg = TestPostgres.get();
        TestKafka kafka = TestKafka.get();
        createTopics(kafka);
        pgProxy = new TcpProxy(pg.host(), pg.port());
        for (String name : List.of("intake-service", "sla-service", "escalation-service", "feedback-service")) {
            start(name);
        }
        String policy = BenchSupport.defaultPolicyWith(SLA, FEEDBACK);
        HttpResponse<String> published = send("PUT", "intake-service", "/policy", "policy-admin", policy,
                "application/yaml", null);
        if (published.statusCode() != 201) {
            throw new IllegalStateException("the chaos policy was refused: " + published.body());
        }
        Thread.sleep(5_000); // every service has the policy

        Thread generator = new Thread(() -> generate(rate), "chaos-load");
        generator.start();
        Instant began = Instant.now();
        List<String> faults = new ArrayList<>();
        List<Map<String, Object>> samples = new ArrayList<>();
        if (soakMinutes > 0) {
            soak(samples);
        } else {
            faults(faults, gapSeconds, kafka);
        }
        loading = false;
        generator.join();
        Thread.sleep(6_000); // the last follow-ups are scheduled
        later.shutdown();
        later.awaitTermination(1, TimeUnit.MINUTES);
        clients.shutdown();
        clients.awaitTermination(10, TimeUnit.MINUTES);
        Duration loaded = Duration.between(began, Instant.now());
        log("load stopped after %s: %,d contacts accepted; waiting until every service has them", loaded, accepted.size());

        Map<String, Long> present = awaitEveryServiceHasThem(Duration.ofMinutes(5));
        Thread.sleep(60_000); // the timers the last contacts armed fire (targets of 15-30 s)
        Map<String, Object> doubled = countByMeaning();

        Map<String, Object> result = new LinkedHashMap<>();
        result.put("rate", rate);
        result.put("fsync", System.getProperty("pledge.pg.fsync"));
        result.put("loadSeconds", loaded.toSeconds());
        result.put("faults", faults);
        result.put("contactsAccepted", accepted.size());
        result.put("requests", requests.get());
        result.put("retries", retries.get());
        Map<String, Long> byStatus = new java.util.TreeMap<>();
        statuses.forEach((code, n) -> byStatus.put(String.valueOf(code), n.get()));
        result.put("answersByStatus", byStatus);
        result.put("acceptanceMs", BenchSupport.Stats.of(new ArrayList<>(acceptanceMs)));
        result.put("contactsPresentPerService", present);
        result.putAll(doubled);
        result.put("errorLines", errorLines());
        if (!samples.isEmpty()) {
            result.put("minutes", samples);
        }
        String text = JSON.writerWithDefaultPrettyPrinter().writeValueAsString(result);
        System.out.println(text);
        Path file = root.resolve(out);
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
        log("written to %s", file);
    }

    private void faults(List<String> faults, int gapSeconds, TestKafka kafka) throws Exception {
        Thread.sleep(gapSeconds * 1000L);
        for (String name : List.of("intake-service", "sla-service", "escalation-service", "feedback-service")) {
            outage(faults, "kill -9 " + name, services.get(name)::kill, 2_000, () -> start(name), gapSeconds);
        }
        outage(faults, "broker stopped for 30 s", kafka::stop, 30_000, kafka::start, gapSeconds);
        outage(faults, "PostgreSQL frozen for 20 s", pgProxy::freeze, 20_000, pgProxy::thaw, gapSeconds);
        outage(faults, "PostgreSQL restarted (every connection cut, back after 5 s)", pgProxy::cut, 5_000,
                pgProxy::restore, gapSeconds);
    }

    /** One fault: begun, held, ended; then steady load for the gap before the next. */
    private void outage(List<String> faults, String what, Runnable begin, long holdMs, Runnable end, int gapSeconds)
            throws InterruptedException {
        log("fault: %s", what);
        Instant at = Instant.now();
        begin.run();
        Thread.sleep(holdMs);
        end.run();
        faults.add(what + " (" + Duration.between(at, Instant.now()).toSeconds() + " s, with the restart)");
        log("fault over: %s", what);
        Thread.sleep(gapSeconds * 1000L);
    }

    /**
     * Steady load for the soak's minutes; each minute: every service's heap after a full GC, its outbox's
     * oldest unpublished row, every consumer group's lag, each database's size and its dedup table's rows,
     * and the minute's acceptance p99.
     */
    private void soak(List<Map<String, Object>> samples) throws Exception {
        for (int minute = 1; minute <= soakMinutes; minute++) {
            int from = acceptanceMs.size();
            Thread.sleep(60_000);
            Map<String, Object> sample = new LinkedHashMap<>();
            sample.put("minute", minute);
            sample.put("accepted", accepted.size());
            sample.put("acceptanceP99Ms", BenchSupport.Stats.of(new ArrayList<>(acceptanceMs.subList(from,
                    acceptanceMs.size()))).p99Ms());
            Map<String, Object> heap = new LinkedHashMap<>();
            Map<String, Object> outbox = new LinkedHashMap<>();
            Map<String, Object> size = new LinkedHashMap<>();
            for (String name : List.of("intake-service", "sla-service", "escalation-service", "feedback-service")) {
                ServiceProcess service = services.get(name);
                new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                        String.valueOf(service.pid()), "GC.run").redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
                Map<String, Double> m = BenchSupport.metrics(service);
                double used = m.entrySet().stream().filter(e -> e.getKey().startsWith("jvm_memory_used_bytes{")
                        && e.getKey().contains("area=\"heap\"")).mapToDouble(Map.Entry::getValue).sum();
                heap.put(name, Math.round(used / 1_048_576.0));
                outbox.put(name, m.getOrDefault("pledge_outbox_oldest_unpublished_seconds", -1.0));
                String db = databases.get(name);
                size.put(name, Map.of("mb", TestPostgres.get().count(db,
                        "SELECT pg_database_size(current_database()) / 1048576"),
                        "processedEventRows", name.equals("intake-service") ? 0
                                : TestPostgres.get().count(db, "SELECT count(*) FROM processed_event")));
            }
            sample.put("heapAfterGcMb", heap);
            sample.put("outboxOldestUnpublishedS", outbox);
            sample.put("consumerLag", lag());
            sample.put("database", size);
            samples.add(sample);
            log("soak minute %d: %s", minute, JSON.writeValueAsString(sample));
        }
    }

    /** Each consumer group's lag: end offsets less committed offsets, summed over its partitions. */
    private Map<String, Long> lag() throws Exception {
        Map<String, Long> out = new LinkedHashMap<>();
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafka.get().bootstrapServers());
        try (Admin admin = Admin.create(p)) {
            for (String group : List.of("sla-service", "escalation-service", "feedback-service")) {
                var committed = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
                Map<org.apache.kafka.common.TopicPartition, org.apache.kafka.clients.admin.OffsetSpec> latest = new HashMap<>();
                committed.keySet().forEach(tp -> latest.put(tp, org.apache.kafka.clients.admin.OffsetSpec.latest()));
                var ends = admin.listOffsets(latest).all().get();
                long sum = 0;
                for (var e : committed.entrySet()) {
                    sum += ends.get(e.getKey()).offset() - (e.getValue() == null ? 0 : e.getValue().offset());
                }
                out.put(group, sum);
            }
        }
        return out;
    }

    /** ERROR lines in every service's logs of this run. */
    private Map<String, Long> errorLines() throws Exception {
        Map<String, Long> out = new LinkedHashMap<>();
        for (String name : List.of("intake-service", "sla-service", "escalation-service", "feedback-service")) {
            long n = 0;
            try (var files = Files.list(root.resolve(name + "/target"))) {
                for (Path log : files.filter(f -> f.getFileName().toString().startsWith(name + "-")
                        && f.getFileName().toString().endsWith(".log")).toList()) {
                    if (Files.getLastModifiedTime(log).toInstant().isAfter(started)) {
                        n += Files.readAllLines(log).stream().filter(l -> l.contains(" ERROR ")).count();
                    }
                }
            }
            out.put(name, n);
        }
        return out;
    }

    private final Instant started = Instant.now();

    private void start(String name) {
        String db = databases.get(name);
        TestPostgres.get().ensureDatabase(db);
        Map<String, String> env = new HashMap<>(Map.of(
                "QUARKUS_DATASOURCE_REACTIVE_URL", "postgresql://127.0.0.1:" + pgProxy.port() + "/" + db,
                "QUARKUS_DATASOURCE_JDBC_URL", "jdbc:postgresql://127.0.0.1:" + pgProxy.port() + "/" + db));
        if (name.equals("feedback-service")) {
            env.put("PLEDGE_FEEDBACK_TOKEN_KEY", BenchSupport.FEEDBACK_TOKEN_KEY);
        }
        if (soakMinutes > 0) { // retention at work within the soak: dedup rows kept 5 minutes, pruned every minute
            env.put("PLEDGE_CONSUMER_DEDUP_RETENTION", "PT5M");
            env.put("PLEDGE_RETENTION_EVERY", "1m");
        }
        services.put(name, ServiceProcess.start(root.resolve(name + "/target/quarkus-app/quarkus-run.jar"), db, env,
                BenchSupport.SERVICE_JVM));
    }

    /** Contacts at a steady rate; a share answered, a share resolved (then surveyed), a share with a legal threat. */
    private void generate(int rate) {
        long interval = 1_000_000_000L / rate;
        long next = System.nanoTime();
        while (loading) {
            clients.submit(this::oneContact);
            next += interval;
            long wait = next - System.nanoTime();
            if (wait > 0) {
                java.util.concurrent.locks.LockSupport.parkNanos(wait);
            }
        }
    }

    private void oneContact() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        String channel = r.nextBoolean() ? "chat" : "email";
        String body = r.nextInt(10) == 0 ? "I will call my lawyer about this order" : "Where is my order?";
        String json = "{\"customer\":{\"id\":\"cust-" + UUID.randomUUID() + "\",\"name\":\"Ada\",\"tier\":\"standard\"},"
                + "\"channel\":\"" + channel + "\",\"priority\":\"normal\",\"category\":\"other\",\"body\":\"" + body + "\"}";
        long t0 = System.nanoTime();
        String answer = untilAccepted("POST", "intake-service", "/contacts", "intake", json, 202);
        String id;
        try {
            id = JSON.readTree(answer).get("id").asText();
        } catch (Exception e) {
            throw new IllegalStateException(answer, e);
        }
        accepted.add(id);
        acceptanceMs.add((System.nanoTime() - t0) / 1_000_000);
        int plan = r.nextInt(10);
        if (plan < 4) { // answered two seconds later, and three in ten resolved two seconds after that (then surveyed)
            later.schedule(() -> clients.submit(() -> {
                untilAccepted("POST", "intake-service", "/contacts/" + id + "/activities", "agent",
                        "{\"type\":\"agent-replied\"}", 200);
                if (plan < 3) {
                    later.schedule(() -> clients.submit(() -> untilAccepted("POST", "intake-service", "/contacts/" + id
                            + "/activities", "agent", "{\"type\":\"status-changed\",\"status\":\"resolved\"}", 200)),
                            2, TimeUnit.SECONDS);
                }
            }), 2, TimeUnit.SECONDS);
        }
    }

    /** Sends with one Idempotency-Key until the expected status; every other answer or failure is retried. */
    private String untilAccepted(String method, String service, String path, String role, String body, int expected) {
        String key = UUID.randomUUID().toString();
        long backoff = 200;
        while (true) {
            try {
                HttpResponse<String> r = send(method, service, path, role, body, "application/json", key);
                if (r.statusCode() == expected) {
                    return r.body();
                }
                if (r.statusCode() < 500 && r.statusCode() != 429) {
                    throw new IllegalStateException(method + " " + path + " answered " + r.statusCode() + ": " + r.body());
                }
            } catch (IllegalStateException e) {
                throw e;
            } catch (Exception e) {
                statuses.computeIfAbsent(0, s -> new AtomicLong()).incrementAndGet(); // no answer
            }
            retries.incrementAndGet();
            sleep(backoff);
            backoff = Math.min(backoff * 2, 5_000);
        }
    }

    private HttpResponse<String> send(String method, String service, String path, String role, String body,
            String type, String key) throws Exception {
        requests.incrementAndGet();
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(services.get(service).url() + path))
                .timeout(Duration.ofSeconds(15)).header("Authorization", "Bearer " + TestTokens.forRoles(role))
                .header("Content-Type", type).method(method, HttpRequest.BodyPublishers.ofString(body));
        if (key != null) {
            b.header("Idempotency-Key", key);
        }
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        statuses.computeIfAbsent(r.statusCode(), s -> new AtomicLong()).incrementAndGet();
        return r;
    }

    private Map<String, Long> awaitEveryServiceHasThem(Duration timeout) throws Exception {
        Map<String, String> tables = Map.of("intake-service", "contact WHERE id", "sla-service", "sla_contact WHERE contact_id",
                "escalation-service", "esc_contact WHERE contact_id", "feedback-service", "fb_contact WHERE contact_id");
        Map<String, Long> present = new LinkedHashMap<>();
        long end = System.nanoTime() + timeout.toNanos();
        String ids = "'" + String.join("','", accepted) + "'";
        while (true) {
            boolean all = true;
            for (String name : List.of("intake-service", "sla-service", "escalation-service", "feedback-service")) {
                long n = TestPostgres.get().count(databases.get(name), "SELECT count(*) FROM " + tables.get(name)
                        + " IN (" + ids + ")");
                present.put(name, n);
                all &= n == accepted.size();
            }
            if (all || System.nanoTime() > end) {
                log("contacts present: %s of %,d accepted", present, accepted.size());
                return present;
            }
            Thread.sleep(2_000);
        }
    }

    /** Every topic from its start: how many of each effect have more than one distinct ce_id for one meaning. */
    private Map<String, Object> countByMeaning() throws Exception {
        Map<String, Object> out = new LinkedHashMap<>();
        Map<String, Map<String, Set<String>>> byMeaning = new LinkedHashMap<>();
        long copies = 0;
        for (String topic : List.of(Topics.CONTACT_EVENTS, Topics.SLA_EVENTS, Topics.ESCALATION_EVENTS,
                Topics.FEEDBACK_EVENTS)) {
            Set<String> seen = new HashSet<>();
            try (TopicReader reader = new TopicReader(topic)) {
                for (TopicReader.Record r : reader.readFor(Duration.ofSeconds(10))) {
                    String ceId = r.header("ce_id");
                    if (!seen.add(ceId)) {
                        copies++; // the same event published twice: consumers deduplicate it
                        continue;
                    }
                    JsonNode e = JSON.readTree(r.value());
                    String contact = e.path("contactId").asText();
                    if (!accepted.contains(contact)) {
                        continue;
                    }
                    String meaning = switch (String.valueOf(r.header("ce_type"))) {
                        case "pledge.contact.received" -> "contact.received " + contact;
                        case "pledge.sla.started" -> "sla.started " + contact + " " + e.path("metric").asText() + " "
                                + e.path("cycle").asText();
                        case "pledge.sla.breached" -> "sla.breached " + contact + " " + e.path("metric").asText() + " "
                                + e.path("cycle").asText();
                        case "pledge.survey.requested" -> "survey.requested " + contact;
                        case "pledge.escalation.raised" -> "escalation.raised " + contact + " " + e.path("trigger").asText()
                                + " " + e.path("triggerEventId").asText();
                        default -> null;
                    };
                    if (meaning != null) {
                        String kind = meaning.substring(0, meaning.indexOf(' '));
                        byMeaning.computeIfAbsent(kind, k -> new HashMap<>())
                                .computeIfAbsent(meaning, m -> new HashSet<>()).add(ceId);
                    }
                }
            }
        }
        Map<String, Object> effects = new LinkedHashMap<>();
        for (var kind : byMeaning.entrySet()) {
            long doubledCount = kind.getValue().values().stream().filter(ids -> ids.size() > 1).count();
            effects.put(kind.getKey(), Map.of("effects", kind.getValue().size(), "doubled", doubledCount));
            log("%-20s %,8d effects, %d doubled", kind.getKey(), kind.getValue().size(), doubledCount);
        }
        long received = byMeaning.getOrDefault("contact.received", Map.of()).size();
        out.put("effects", effects);
        out.put("acceptedWithoutContactReceived", accepted.size() - received);
        out.put("recordsPublishedTwiceWithOneCeId", copies);
        return out;
    }

    private static void createTopics(TestKafka kafka) throws Exception {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        try (Admin admin = Admin.create(p)) {
            Set<String> existing = admin.listTopics().names().get();
            List<NewTopic> topics = new ArrayList<>();
            for (String t : List.of(Topics.CONTACT_EVENTS, Topics.SLA_EVENTS, Topics.ESCALATION_EVENTS,
                    Topics.FEEDBACK_EVENTS)) {
                if (!existing.contains(t)) {
                    topics.add(new NewTopic(t, BenchSupport.PARTITIONS, (short) 1));
                }
            }
            if (!existing.contains(Topics.SERVICE_POLICY)) {
                topics.add(new NewTopic(Topics.SERVICE_POLICY, 1, (short) 1).configs(Map.of("cleanup.policy", "compact")));
            }
            admin.createTopics(topics).all().get();
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static {
        Locale.setDefault(Locale.ROOT);
    }
}
