package dev.pledge.bench;

import dev.pledge.events.CloudEventHeaders;
import dev.pledge.events.EventJson;
import dev.pledge.events.Topics;
import dev.pledge.testinfra.ServiceProcess;
import dev.pledge.testinfra.TestKafka;
import dev.pledge.testinfra.TestPostgres;
import dev.pledge.testinfra.TestTokens;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * The whole path, intake-service and sla-service as ./pledge up runs them: contacts POSTed at a fixed
 * arrival rate ({@link OpenLoad}); for each, the time from its 202 to the {@code sla.started}
 * (first response) sla-service publishes for it (both wall clocks of this machine: the 202 as this
 * client receives it, {@code sla.started} by its record timestamp). Then a ladder of rates, each held
 * for {@code --step-seconds}, to find the highest at which sla-service keeps up: at the step's end
 * fewer than one second of arrivals are without their {@code sla.started}, and intake answered 95 % of
 * the offered rate. (Not the consumer group's lag: SmallRye commits offsets every 5 s, so committed
 * offsets trail what is applied by up to 5 s, and a step's end could land on either side of a commit.)
 */
public final class EndToEndBench {
    static final String INTAKE_DATABASE = "intake_e2e_bench";
    static final String SLA_DATABASE = "sla_e2e_bench";

    public static void main(String[] args) throws Exception {
        String fsync = BenchSupport.fsync(args);
        int rate = BenchSupport.intArg(args, "--rate", 1000);
        int seconds = BenchSupport.intArg(args, "--seconds", 30);
        int stepSeconds = BenchSupport.intArg(args, "--step-seconds", 20);
        int warmupSeconds = BenchSupport.intArg(args, "--warmup-seconds", 120);
        Path root = BenchSupport.root();
        Path out = BenchSupport.out(args, "end-to-end", fsync);
        BenchSupport.createTopics();
        try (ServiceProcess sla = ServiceProcess.start(root.resolve("sla-service/target/quarkus-app/quarkus-run.jar"),
                SLA_DATABASE, Map.of(), BenchSupport.SERVICE_JVM);
                ServiceProcess intake = ServiceProcess.start(root.resolve("intake-service/target/quarkus-app/quarkus-run.jar"),
                        INTAKE_DATABASE, Map.of(), BenchSupport.SERVICE_JVM);
                OpenLoad load = new OpenLoad(intake.url(), 256);
                Started started = new Started();
                Admin admin = admin()) {
            BenchSupport.awaitOwnership(sla);
            String token = "Bearer " + TestTokens.forSubject("bench", TestTokens.AUDIENCE, "intake");
            Map<String, Long> acceptedAt = new ConcurrentHashMap<>();
            java.util.function.BiFunction<Double, Integer, OpenLoad.Step> post = (r, secs) -> {
                try {
                    return load.run(r, Duration.ZERO, Duration.ofSeconds(secs),
                            i -> new OpenLoad.Request("/contacts",
                                    Map.of("Authorization", token, "Content-Type", "application/json"),
                                    Buffer.buffer(IntakeBench.json(IntakeBench.body(
                                            "cust-" + ThreadLocalRandom.current().nextInt(100_000), i))),
                                    (status, body, nanos) -> {
                                        if (status == 202) {
                                            acceptedAt.put(new JsonObject(body).getString("id"), System.currentTimeMillis());
                                        }
                                    }));
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            };

            // The JIT needs about a minute of CPU on 2 cores: measured before that, the run measures the compiler.
            BenchSupport.log("warming both services up: 20 s at 200 contacts/s, %d s at 500/s", warmupSeconds);
            post.apply(200.0, 20);
            post.apply(500.0, warmupSeconds);
            awaitCaughtUp(admin, 0);

            BenchSupport.log("accepted -> sla.started at %d contacts/s for %d s", rate, seconds);
            acceptedAt.clear();
            started.clear();
            OpenLoad.Step at = post.apply((double) rate, seconds);
            started.awaitAll(acceptedAt.keySet(), Duration.ofSeconds(120));
            List<Long> latency = new ArrayList<>();
            long missing = 0;
            for (Map.Entry<String, Long> e : acceptedAt.entrySet()) {
                Long s = started.at(e.getKey());
                if (s == null) {
                    missing++;
                } else {
                    latency.add(Math.max(0, s - e.getValue()));
                }
            }
            BenchSupport.Stats toStarted = BenchSupport.Stats.of(latency);
            BenchSupport.log("  %,d accepted (POST p99 %.1f ms); sla.started for %,d: median %d ms, p99 %d ms, max %d ms;"
                    + " %d never started", acceptedAt.size(), at.p99Ms(), toStarted.count(), toStarted.medianMs(),
                    toStarted.p99Ms(), toStarted.maxMs(), missing);

            BenchSupport.log("the highest rate sla-service keeps up with (%d s a step)", stepSeconds);
            List<LagStep> ladder = new ArrayList<>();
            double keptUp = 0;
            for (double r : new double[] {250, 500, 750, 1000, 1500, 2000, 3000, 4000, 5000}) {
                started.awaitAll(acceptedAt.keySet(), Duration.ofMinutes(5)); // the step before, caught up
                acceptedAt.clear();
                started.clear();
                OpenLoad.Step s = post.apply(r, stepSeconds);
                long behind = started.missing(acceptedAt.keySet());
                boolean kept = s.achievedPerSecond() >= r * 0.95 && behind < r;
                ladder.add(new LagStep(r, s.achievedPerSecond(), s.p99Ms(), behind, kept));
                BenchSupport.log("  %,6.0f/s offered: intake answered %,6.0f/s (p99 %.1f ms); at the end %,d"
                        + " contacts were without sla.started %s", r, s.achievedPerSecond(), s.p99Ms(), behind, kept ? "" : "(not kept up)");
                if (!kept) {
                    break;
                }
                keptUp = r;
            }
            Result result = new Result(Instant.now(), fsync, Runtime.getRuntime().availableProcessors(), rate, seconds,
                    acceptedAt.size(), at.p99Ms(), toStarted, missing, keptUp, ladder);
            System.out.printf(Locale.ROOT, "%nend to end, intake-service and sla-service, fsync %s, %d cores%n", fsync,
                    result.cores());
            System.out.printf(Locale.ROOT, "  at %,d contacts/s for %d s: accepted -> sla.started median %d ms, p99 %d ms,"
                    + " max %d ms (%,d contacts, %d never started)%n", rate, seconds, toStarted.medianMs(),
                    toStarted.p99Ms(), toStarted.maxMs(), toStarted.count(), missing);
            System.out.printf(Locale.ROOT, "  highest rate with sla-service less than a second behind at the end of a %d s"
                    + " step: %,.0f contacts/s%n", stepSeconds, keptUp);
            Files.createDirectories(out.getParent());
            Files.writeString(out, EventJson.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(result) + "\n");
            BenchSupport.log("written %s", out);
        }
        System.exit(0);
    }

    /** What one run measured. */
    record Result(Instant at, String fsync, int cores, int rate, int seconds, int accepted, double postP99Ms,
            BenchSupport.Stats acceptedToStarted, long neverStarted, double highestRateKeptUp, List<LagStep> ladder) {
    }

    /** One step of the ladder: contacts accepted in it whose {@code sla.started} had not been published at its end. */
    record LagStep(double offeredPerSecond, double acceptedPerSecond, double postP99Ms, long behindAtEnd, boolean keptUp) {
    }

    /** Events not yet applied by sla-service: intake's unpublished outbox rows and the consumer group's lag. */
    private static long behind(Admin admin) throws Exception {
        return outbox() + lag(admin);
    }

    private static void awaitCaughtUp(Admin admin, long atMost) throws Exception {
        long end = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        while (System.nanoTime() < end) {
            if (behind(admin) <= atMost) {
                return;
            }
            Thread.sleep(500);
        }
        throw new IllegalStateException("sla-service did not catch up in 5 minutes");
    }

    private static long outbox() throws Exception {
        TestPostgres pg = TestPostgres.get();
        try (Connection c = DriverManager.getConnection(pg.jdbcUrl(INTAKE_DATABASE), pg.user(), pg.password());
                ResultSet rs = c.createStatement().executeQuery("SELECT count(*) FROM outbox")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static long lag(Admin admin) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets("sla-service")
                .partitionsToOffsetAndMetadata().get();
        List<TopicPartition> partitions = new ArrayList<>();
        for (int p = 0; p < BenchSupport.PARTITIONS; p++) {
            partitions.add(new TopicPartition(Topics.CONTACT_EVENTS, p));
        }
        var ends = admin.listOffsets(partitions.stream().collect(Collectors.toMap(tp -> tp, tp -> OffsetSpec.latest())))
                .all().get();
        long lag = 0;
        for (TopicPartition tp : partitions) {
            OffsetAndMetadata c = committed.get(tp);
            lag += ends.get(tp).offset() - (c == null ? 0 : c.offset());
        }
        return lag;
    }

    private static Admin admin() {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafka.get().bootstrapServers());
        return Admin.create(p);
    }

    /** Reads sla-events from now on, noting when each contact's first-response timer started. */
    private static final class Started implements AutoCloseable {
        private final Map<String, Long> at = new ConcurrentHashMap<>();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final Thread thread;

        Started() throws InterruptedException {
            Properties p = new Properties();
            p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafka.get().bootstrapServers());
            p.put(ConsumerConfig.GROUP_ID_CONFIG, "bench-" + UUID.randomUUID());
            p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
            KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer());
            consumer.subscribe(List.of(Topics.SLA_EVENTS));
            while (consumer.assignment().isEmpty()) {
                consumer.poll(Duration.ofMillis(100));
            }
            thread = new Thread(() -> {
                try (consumer) {
                    while (running.get()) {
                        for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(100))) {
                            Header type = r.headers().lastHeader(CloudEventHeaders.TYPE);
                            if (r.key() != null && type != null
                                    && "pledge.sla.started".equals(new String(type.value(), StandardCharsets.UTF_8))
                                    && r.value().contains("\"first-response\"")) {
                                at.putIfAbsent(r.key(), r.timestamp());
                            }
                        }
                    }
                }
            }, "sla-events-reader");
            thread.start();
        }

        Long at(String contactId) {
            return at.get(contactId);
        }

        /** How many of the contacts have no {@code sla.started} yet. */
        long missing(java.util.Set<String> ids) {
            return ids.stream().filter(id -> !at.containsKey(id)).count();
        }

        void clear() {
            at.clear();
        }

        void awaitAll(java.util.Set<String> ids, Duration timeout) throws InterruptedException {
            long end = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < end && !at.keySet().containsAll(ids)) {
                Thread.sleep(200);
            }
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            thread.join();
        }
    }

    private EndToEndBench() {
    }
}
