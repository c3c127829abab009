package dev.pledge.local;

import dev.pledge.events.Topics;
import io.smallrye.reactive.messaging.kafka.companion.test.EmbeddedKafkaBroker;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.jboss.logging.Logger;

/**
 * {@code ./pledge up}: an embedded KRaft broker and an embedded PostgreSQL in this JVM, the topics
 * and one database per service, then every built service as its own JVM pointed at them. Data is
 * kept under the data folder across runs.
 */
final class LocalStack {
    private static final Logger LOG = Logger.getLogger(LocalStack.class);

    /** Every service the stack knows, with the fixed local ports of DESIGN.md. */
    record Service(String name, String module, int httpPort, int managementPort, String database) {
        Path jar(Path root) {
            return root.resolve(module).resolve("target/quarkus-app/quarkus-run.jar");
        }
    }

    static final List<Service> SERVICES = List.of(
            new Service("intake-service", "intake-service", 8081, 9081, "intake"),
            new Service("sla-service", "sla-service", 8082, 9082, "sla"),
            new Service("escalation-service", "escalation-service", 8083, 9083, "escalation"),
            new Service("feedback-service", "feedback-service", 8084, 9084, "feedback"));

    static final int KAFKA_PORT = 9092;
    static final int KAFKA_CONTROLLER_PORT = 9093;
    static final int PG_PORT = 5433;
    static final int PARTITIONS = 6;
    static final String PG_USER = "postgres";
    static final String PG_PASSWORD = "postgres";
    static final Duration READY_TIMEOUT = Duration.ofMinutes(3);
    static final int MAX_RESTARTS = 5;
    static final Duration RESTART_WINDOW = Duration.ofMinutes(5);

    private final Path root;
    private final Path data;
    private final Map<Service, Process> processes = new ConcurrentHashMap<>();
    private volatile boolean stopping;
    private EmbeddedKafkaBroker kafka;
    private EmbeddedPostgres postgres;

    LocalStack(Path root, Path data) {
        this.root = root;
        this.data = data;
    }

    void up(boolean fresh, boolean demo) throws Exception {
        long start = System.nanoTime();
        Leftovers.stop(data);
        if (fresh && Files.exists(data)) {
            LOG.infof("--fresh: wiping %s", data);
            deleteTree(data.resolve("kafka"));
            deleteTree(data.resolve("postgres"));
            deleteTree(data.resolve("logs"));
        }
        Files.createDirectories(data.resolve("logs"));
        Runtime.getRuntime().addShutdownHook(new Thread(this::down, "pledge-down"));

        postgres = startPostgres();
        kafka = startKafka();
        createTopics();
        List<Service> services = SERVICES.stream().filter(s -> Files.exists(s.jar(root))).toList();
        for (Service s : services) {
            createDatabase(s.database());
        }
        String publicKey = new DevTokens(data).publicKey();
        for (Service s : services) {
            processes.put(s, startService(s, publicKey));
        }
        writePids();
        for (Service s : services) {
            awaitReady(s);
        }
        printWelcome(services, Duration.ofNanos(System.nanoTime() - start));
        Thread supervisor = new Thread(() -> supervise(services, publicKey), "pledge-supervisor");
        supervisor.setDaemon(true);
        supervisor.start();
        if (demo) {
            new Demo(URI.create("http://localhost:8081"), new DevTokens(data), System.out)
                    .answeringSurveys("localhost:" + KAFKA_PORT, URI.create("http://localhost:8084"))
                    .run(Demo.DEFAULT_CONTACTS, true);
        }
        supervisor.join(); // until Ctrl-C; the shutdown hook stops everything
    }

    /**
     * Restarts a service that stops on its own (a crash, an out-of-memory kill, a {@code kill -9} to
     * try its durability) with the same settings, as a container runtime's restart policy would, and
     * says when it is ready again, at most {@value #MAX_RESTARTS} times within {@link #RESTART_WINDOW}; one
     * that stops again after that is left stopped: something is wrong that a restart does not mend.
     */
    private void supervise(List<Service> services, String publicKey) {
        Map<Service, Deque<Long>> restarts = new HashMap<>();
        Map<Service, Long> awaitingReady = new HashMap<>();
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        while (!stopping) {
            try {
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                return;
            }
            for (Service s : services) {
                Process p = processes.get(s);
                if (p == null || stopping) {
                    continue;
                }
                if (!p.isAlive()) {
                    Deque<Long> recent = restarts.computeIfAbsent(s, k -> new ArrayDeque<>());
                    long now = System.nanoTime();
                    while (!recent.isEmpty() && now - recent.peekFirst() > RESTART_WINDOW.toNanos()) {
                        recent.removeFirst();
                    }
                    String log = data.resolve("logs").resolve(s.name() + ".log").toString();
                    if (recent.size() >= MAX_RESTARTS) {
                        LOG.errorf("%s stopped (exit code %d) %d times within %s; leaving it stopped, see %s", s.name(),
                                p.exitValue(), MAX_RESTARTS + 1, RESTART_WINDOW, log);
                        processes.remove(s);
                        continue;
                    }
                    recent.addLast(now);
                    synchronized (this) { // not while down() stops everything
                        if (stopping) {
                            return;
                        }
                        LOG.warnf("%s stopped on its own (exit code %d%s); restarting it, log in %s", s.name(),
                                p.exitValue(), p.exitValue() == 137 ? ", killed" : "", log);
                        try {
                            processes.put(s, startService(s, publicKey));
                            writePids();
                            awaitingReady.put(s, now);
                        } catch (IOException e) {
                            LOG.errorf(e, "cannot restart %s", s.name());
                            processes.remove(s);
                        }
                    }
                } else if (awaitingReady.containsKey(s) && ready(http, s)) {
                    LOG.infof("%s is ready again, %d s after it stopped", s.name(),
                            Duration.ofNanos(System.nanoTime() - awaitingReady.remove(s)).toSeconds());
                }
            }
        }
    }

    private static boolean ready(HttpClient http, Service s) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + s.managementPort() + "/q/health/ready"))
                    .timeout(Duration.ofSeconds(1)).build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The services' pids, for {@link Leftovers} after a launcher that did not stop cleanly. */
    private synchronized void writePids() throws IOException {
        Map<String, Long> pids = new TreeMap<>();
        processes.forEach((s, p) -> pids.put(s.name(), p.pid()));
        Leftovers.record(data, pids);
    }

    private EmbeddedPostgres startPostgres() throws IOException {
        Path dir = data.resolve("postgres");
        Files.createDirectories(dir);
        EmbeddedPostgres pg = EmbeddedPostgres.builder()
                .setPort(PG_PORT)
                .setDataDirectory(dir)
                .setCleanDataDirectory(false)
                .setRegisterShutdownHook(false)
                .setServerConfig("max_connections", "200")
                // Durable as production runs it: the embedded server's defaults are fsync and synchronous_commit
                // off, with which a 202 (committed) could be lost to a crash. bench/run stack measures this.
                .setServerConfig("fsync", "on")
                .setServerConfig("synchronous_commit", "on")
                // As the benches run it (test-infra's TestPostgres says why); memory is taken only as pages are used.
                .setServerConfig("shared_buffers", "1GB")
                .setServerConfig("autovacuum_naptime", "10s")
                .setPGStartupWait(Duration.ofSeconds(60))
                .start();
        LOG.infof("PostgreSQL ready on localhost:%d (data in %s)", PG_PORT, dir);
        return pg;
    }

    private EmbeddedKafkaBroker startKafka() throws IOException {
        Path logs = data.resolve("kafka");
        Files.createDirectories(logs);
        EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker()
                .withNodeId(1)
                .withClusterId("pledge-local-cluster-0001")
                .withKafkaPort(KAFKA_PORT)
                .withControllerPort(KAFKA_CONTROLLER_PORT)
                .withDeleteLogDirsOnClose(false)
                .withAdditionalProperties(p -> {
                    p.put("log.dirs", logs.toString());
                    p.put("num.partitions", String.valueOf(PARTITIONS));
                    p.put("auto.create.topics.enable", "true");
                    p.put("offsets.topic.num.partitions", "10");
                })
                .start();
        LOG.infof("Kafka (KRaft) ready on localhost:%d (logs in %s)", KAFKA_PORT, logs);
        return broker;
    }

    private void createTopics() throws Exception {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, "localhost:" + KAFKA_PORT);
        try (Admin admin = Admin.create(p)) {
            Set<String> existing = admin.listTopics().names().get();
            List<NewTopic> topics = new ArrayList<>();
            for (String topic : Topics.ALL) {
                if (existing.contains(topic)) {
                    continue;
                }
                if (topic.equals(Topics.SERVICE_POLICY)) {
                    topics.add(new NewTopic(topic, 1, (short) 1).configs(Map.of(
                            TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT)));
                } else {
                    topics.add(new NewTopic(topic, PARTITIONS, (short) 1));
                }
            }
            if (!topics.isEmpty()) {
                admin.createTopics(topics).all().get();
                LOG.infof("created topics %s", topics.stream().map(NewTopic::name).toList());
            }
        }
    }

    private void createDatabase(String name) throws SQLException {
        try (Connection c = DriverManager.getConnection(jdbcUrl("postgres"), PG_USER, PG_PASSWORD);
                ResultSet rs = c.createStatement().executeQuery(
                        "SELECT 1 FROM pg_database WHERE datname = '" + name + "'")) {
            if (!rs.next()) {
                c.createStatement().execute("CREATE DATABASE " + name);
                LOG.infof("created database %s", name);
            }
        }
    }

    private Process startService(Service s, String publicKey) throws IOException {
        File log = data.resolve("logs").resolve(s.name() + ".log").toFile();
        // -Xmn128m: a consumer's transaction holds up to 500 events' objects for ~50-100 ms; with the young
        // generation the small heap gives by default (~30 MB, collected every 100 ms under load) they were
        // promoted and the old generation filled every 1.5 s (bench/README.md, sla-service)
        ProcessBuilder pb = new ProcessBuilder(javaBin(), "-Xms64m", "-Xmx512m", "-Xmn128m", "-XX:+UseSerialGC",
                "-jar", s.jar(root).toString());
        Map<String, String> env = pb.environment();
        env.put("QUARKUS_HTTP_PORT", String.valueOf(s.httpPort()));
        env.put("QUARKUS_MANAGEMENT_PORT", String.valueOf(s.managementPort()));
        env.put("QUARKUS_DATASOURCE_REACTIVE_URL", "postgresql://localhost:" + PG_PORT + "/" + s.database());
        env.put("QUARKUS_DATASOURCE_JDBC_URL", jdbcUrl(s.database()));
        env.put("QUARKUS_DATASOURCE_USERNAME", PG_USER);
        env.put("QUARKUS_DATASOURCE_PASSWORD", PG_PASSWORD);
        env.put("KAFKA_BOOTSTRAP_SERVERS", "localhost:" + KAFKA_PORT);
        env.put("MP_JWT_VERIFY_PUBLICKEY", publicKey);
        env.put("MP_JWT_VERIFY_ISSUER", DevTokens.ISSUER);
        env.put("PLEDGE_FEEDBACK_TOKEN_KEY", new DevTokens(data).surveyKey());
        pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log));
        Process process = pb.start();
        LOG.infof("started %s (pid %d), log in %s", s.name(), process.pid(), log);
        return process;
    }

    private void awaitReady(Service s) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        URI ready = URI.create("http://localhost:" + s.managementPort() + "/q/health/ready");
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(ready).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    LOG.infof("%s is ready", s.name());
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            if (processes.values().stream().anyMatch(p -> !p.isAlive())) {
                throw new IllegalStateException(s.name() + " stopped during start-up; see " + data.resolve("logs"));
            }
            Thread.sleep(500);
        }
        throw new IllegalStateException(s.name() + " not ready after " + READY_TIMEOUT + "; see " + data.resolve("logs"));
    }

    private void printWelcome(List<Service> services, Duration took) {
        StringBuilder b = new StringBuilder();
        b.append("\nPledge is up in ").append(took.toSeconds()).append(" s. Ctrl-C stops everything; data stays in ")
                .append(data).append(" (--fresh wipes it).\n\n");
        for (Service s : SERVICES) {
            boolean running = services.contains(s);
            b.append(String.format("  %-19s %s%n", s.name(), running
                    ? "http://localhost:" + s.httpPort() + "   health http://localhost:" + s.managementPort() + "/q/health"
                    : "(not built yet)"));
        }
        b.append(String.format("  %-19s localhost:%d%n", "Kafka", KAFKA_PORT));
        b.append(String.format("  %-19s %s (user %s, password %s)%n%n", "PostgreSQL", jdbcUrl("<service>"), PG_USER, PG_PASSWORD));
        b.append("Dev tokens (12 h), one per role:\n");
        DevTokens tokens = new DevTokens(data);
        for (String role : DevTokens.ROLES) {
            try {
                b.append(String.format("  %-13s %s%n", role, tokens.token(role)));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
        b.append("""

                Try it:
                  curl -i -X POST http://localhost:8081/contacts -H "Authorization: Bearer $(./pledge token intake)" \\
                       -H 'Content-Type: application/json' \\
                       -d '{"customer":{"id":"cust-1","name":"Ada"},"channel":"chat","body":"Where is my parcel?"}'
                  ./pledge tail contact-events      # every record, with key and ce_* headers
                  ./pledge demo                     # a realistic stream of contacts
                  ./pledge tail sla-events          # SLA timers started, warned, breached, met
                  ./pledge tail escalation-events   # escalations raised, climbing, acknowledged; complaints; crises
                  curl -s http://localhost:8083/escalations?state=open -H "Authorization: Bearer $(./pledge token supervisor)"
                  ./pledge tail feedback-events     # surveys sent (with their tokens), answers received
                  curl -s 'http://localhost:8084/kpis?groupBy=channel' -H "Authorization: Bearer $(./pledge token analyst)"
                  http://localhost:8084/dashboard   # in a browser; sign in with the output of ./pledge token supervisor
                """);
        System.out.println(b);
        System.out.flush();
    }

    /** Stops services first (they flush and commit), then the broker, then the database. */
    void down() {
        synchronized (this) {
            stopping = true;
            for (Process p : processes.values()) {
                p.destroy();
            }
        }
        for (Process p : processes.values()) {
            try {
                if (!p.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
            }
        }
        if (kafka != null) {
            kafka.close();
        }
        if (postgres != null) {
            try {
                postgres.close();
            } catch (IOException e) {
                LOG.warn("PostgreSQL did not stop cleanly", e);
            }
        }
        System.err.println("Pledge stopped.");
    }

    static String jdbcUrl(String database) {
        return "jdbc:postgresql://localhost:" + PG_PORT + "/" + database;
    }

    private static String javaBin() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
