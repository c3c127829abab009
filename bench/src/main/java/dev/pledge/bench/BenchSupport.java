package dev.pledge.bench;

import dev.pledge.events.PolicyPublished;
import dev.pledge.events.Topics;
import dev.pledge.policy.PolicyLoader;
import dev.pledge.testinfra.ServiceProcess;
import dev.pledge.testinfra.TestKafka;
import dev.pledge.testinfra.TestPostgres;
import dev.pledge.testinfra.TopicWriter;
import java.io.IOException;
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
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;

/** What the benchmarks share: topics as ./pledge up makes them, waiting for a service, figures, arguments. */
final class BenchSupport {
    static final int PARTITIONS = 6;

    /** The survey-token key the benches give feedback-service (it refuses to start without one outside dev/test). */
    static final String FEEDBACK_TOKEN_KEY = "YmVuY2gtb25seS1zdXJ2ZXktdG9rZW4ta2V5LTMyLWJ5dGVzIQ==";

    /** JVM options as ./pledge up starts a service, plus PLEDGE_BENCH_JVM (bench/run passes it on). */
    static final List<String> SERVICE_JVM = jvm();

    private static List<String> jvm() {
        List<String> options = new ArrayList<>(List.of("-Xms64m", "-Xmx512m", "-Xmn128m", "-XX:+UseSerialGC"));
        String extra = System.getProperty("pledge.bench.jvm", "");
        if (!extra.isBlank()) {
            options.addAll(List.of(extra.trim().split("\\s+")));
        }
        return List.copyOf(options);
    }

    /** Count, median, 99th percentile and maximum of a sample, in milliseconds. */
    record Stats(long count, long medianMs, long p99Ms, long maxMs) {
        static Stats of(List<Long> values) {
            List<Long> sorted = values.stream().sorted().toList();
            if (sorted.isEmpty()) {
                return new Stats(0, -1, -1, -1);
            }
            return new Stats(sorted.size(), sorted.get(sorted.size() / 2),
                    sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(sorted.size() * 0.99) - 1)),
                    sorted.get(sorted.size() - 1));
        }
    }

    static void createTopics() throws Exception {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafka.get().bootstrapServers());
        try (Admin admin = Admin.create(p)) {
            Set<String> existing = admin.listTopics().names().get();
            List<NewTopic> topics = new ArrayList<>();
            for (String t : List.of(Topics.CONTACT_EVENTS, Topics.SLA_EVENTS, Topics.ESCALATION_EVENTS, Topics.FEEDBACK_EVENTS)) {
                if (!existing.contains(t)) {
                    topics.add(new NewTopic(t, PARTITIONS, (short) 1));
                }
            }
            if (!existing.contains(Topics.SERVICE_POLICY)) {
                topics.add(new NewTopic(Topics.SERVICE_POLICY, 1, (short) 1));
            }
            admin.createTopics(topics).all().get();
        }
        // The events the benches write name policy version 1, as intake's default: publish it, as intake does.
        try (TopicWriter writer = new TopicWriter()) {
            writer.send(new PolicyPublished(1, "pledge (default policy)", Instant.now(), "bench",
                    PolicyLoader.parse(PolicyLoader.defaultPolicyText())));
        }
    }

    /** The default policy with its {@code sla:} and {@code feedback:} sections replaced (a bench's short targets). */
    static String defaultPolicyWith(String sla, String feedback) {
        String policy = PolicyLoader.defaultPolicyText();
        return policy.substring(0, policy.indexOf("sla:\n")) + sla + "\n"
                + policy.substring(policy.indexOf("classification:\n"), policy.indexOf("feedback:\n")) + feedback;
    }

    static void awaitOwnership(ServiceProcess service) throws Exception {
        long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < end) {
            if (Files.readString(service.log()).contains("owning partitions [0, 1, 2, 3, 4, 5]")) {
                return;
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("the service did not take all partitions; see " + service.log());
    }

    /** The service's Prometheus samples, by name with labels. */
    static Map<String, Double> metrics(ServiceProcess service) throws IOException, InterruptedException {
        String text = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(service.managementUrl()
                + "/q/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
        Map<String, Double> samples = new HashMap<>();
        for (String line : text.split("\n")) {
            int space = line.lastIndexOf(' ');
            if (!line.startsWith("#") && space > 0) {
                try {
                    samples.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
                } catch (NumberFormatException e) {
                    // not a sample
                }
            }
        }
        return samples;
    }

    /**
     * Reads the service's metrics every {@code every}, as Prometheus does in production, until closed.
     * Without it the first readings come at the measured window's edge and compile the rendering code
     * there (a JIT burst that showed as slow seconds at the window's start).
     */
    static AutoCloseable scrapeEvery(ServiceProcess service, Duration every) {
        var scraper = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "bench-scraper");
            t.setDaemon(true);
            return t;
        });
        scraper.scheduleAtFixedRate(() -> {
            try {
                metrics(service);
            } catch (IOException | InterruptedException | RuntimeException e) {
                log("metrics not read: %s", e);
            }
        }, 0, every.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        return scraper::shutdownNow;
    }

    /** CPU time the process has used so far, user and system (0 where the platform does not say). */
    static Duration cpu(ServiceProcess service) {
        return ProcessHandle.of(service.pid()).flatMap(h -> h.info().totalCpuDuration()).orElse(Duration.ZERO);
    }

    /**
     * Events applied per second of the consumer's transactions between two readings of its metrics:
     * its rate while it has work, whatever kept it waiting for records (a slow writer, the broker).
     */
    static double busyRate(Map<String, Double> before, Map<String, Double> after, long events) {
        double seconds = after.getOrDefault("pledge_consumer_batch_duration_seconds_sum", 0.0)
                - before.getOrDefault("pledge_consumer_batch_duration_seconds_sum", 0.0);
        return seconds <= 0 ? 0 : events / seconds;
    }

    /**
     * Where an event's time goes inside a service, between two readings of its metrics: the shared
     * consumer's transactions (events each, duration, age of the oldest record at commit) and the
     * outbox relay's (rows each, duration). Means over the window; p50, p99 and max as Micrometer
     * keeps them (the last two minutes or so).
     */
    static void printStages(Map<String, Double> before, Map<String, Double> after) {
        for (String name : List.of("pledge_consumer_batch_events", "pledge_consumer_batch_duration_seconds",
                "pledge_consumer_event_age_seconds", "pledge_outbox_batch_events", "pledge_outbox_batch_duration_seconds")) {
            double count = after.getOrDefault(name + "_count", 0.0) - before.getOrDefault(name + "_count", 0.0);
            double sum = after.getOrDefault(name + "_sum", 0.0) - before.getOrDefault(name + "_sum", 0.0);
            double scale = name.endsWith("_seconds") ? 1000 : 1; // times in ms
            System.out.printf(Locale.ROOT, "  %-40s %,8.0f times, mean %8.1f, p50 %8.1f, p99 %8.1f, max %8.1f%s%n", name,
                    count, count == 0 ? 0 : scale * sum / count,
                    scale * after.getOrDefault(name + "{quantile=\"0.5\"}", Double.NaN),
                    scale * after.getOrDefault(name + "{quantile=\"0.99\"}", Double.NaN),
                    scale * after.getOrDefault(name + "_max", Double.NaN), scale == 1 ? "" : " ms");
        }
    }

    /**
     * With {@code PLEDGE_BENCH_STATEMENTS=1} (embedded PostgreSQL only): forgets what PostgreSQL has
     * counted so far, so that {@link #printStatements} shows the measured part of a run.
     */
    static void resetStatements(String database) {
        if (TestPostgres.get().countsStatements()) {
            TestPostgres.get().execute(database, "CREATE EXTENSION IF NOT EXISTS pg_stat_statements",
                    "SELECT pg_stat_statements_reset()");
        }
    }

    /** The statements PostgreSQL spent most time on since {@link #resetStatements}, if it counts them. */
    static void printStatements(String database) throws java.sql.SQLException {
        if (!TestPostgres.get().countsStatements()) {
            return;
        }
        System.out.printf(Locale.ROOT, "  PostgreSQL's statements by total execution time (pg_stat_statements):%n");
        try (java.sql.Connection c = TestPostgres.get().connect(database);
                java.sql.ResultSet r = c.createStatement().executeQuery("SELECT calls, total_exec_time, rows,"
                        + " d.datname || ': ' || left(regexp_replace(query, '\\s+', ' ', 'g'), 100)"
                        + " FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid"
                        + " ORDER BY total_exec_time DESC LIMIT 15")) {
            while (r.next()) {
                long calls = r.getLong(1);
                System.out.printf(Locale.ROOT, "  %,9d calls %,9.0f ms (%6.2f ms each) %,10d rows  %s%n", calls,
                        r.getDouble(2), calls == 0 ? 0 : r.getDouble(2) / calls, r.getLong(3), r.getString(4));
            }
        }
    }

    static void log(String format, Object... args) {
        System.err.printf(Locale.ROOT, "[bench] " + format + "%n", args);
    }

    static int intArg(String[] args, String name, int fallback) {
        String v = stringArg(args, name, null);
        return v == null ? fallback : Integer.parseInt(v.replace("_", ""));
    }

    /** The repository root ({@code bench/run} passes it). */
    static Path root() {
        return Path.of(System.getProperty("pledge.root", ".")).toAbsolutePath().normalize();
    }

    /**
     * {@code --fsync on|off}: the embedded PostgreSQL as production runs it (on, the default) or as the
     * tests do; applied before the database starts. Returns the value.
     */
    static String fsync(String[] args) {
        String fsync = stringArg(args, "--fsync", "on");
        System.setProperty("pledge.pg.fsync", fsync);
        return fsync;
    }

    /** {@code --out}, by default {@code bench/results/<name>-fsync-<fsync>.json}. */
    static Path out(String[] args, String name, String fsync) {
        return Path.of(stringArg(args, "--out",
                root().resolve("bench/results/" + name + "-fsync-" + fsync + ".json").toString()));
    }

    static String stringArg(String[] args, String name, String fallback) {
        for (int i = 0; i < args.length - 1; i++) {
            if (args[i].equals(name)) {
                return args[i + 1];
            }
        }
        return fallback;
    }

    private BenchSupport() {
    }
}
