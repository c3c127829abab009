package dev.pledge.bench;

import dev.pledge.events.EventJson;
import dev.pledge.events.SlaEvent;
import dev.pledge.events.Topics;
import dev.pledge.testinfra.ServiceProcess;
import dev.pledge.testinfra.TestKafka;
import dev.pledge.testinfra.TestPostgres;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.postgresql.PGConnection;

/**
 * Breach lateness and heap per open timer of sla-service, on this machine, against real Kafka and
 * PostgreSQL (embedded, as in the tests) and the service's own jar as a separate JVM.
 *
 * <ol>
 * <li>Start sla-service once on an empty database; force a GC; read heap used: the baseline.</li>
 * <li>Stop it; seed {@code --timers} open timers straight into PostgreSQL (COPY), due in a day.</li>
 * <li>Start it again; once it owns its partitions, seed {@code --probes} more timers due 30 to 90 s
 *     later, spread evenly. It finds them as it would any timer: by its periodic refill.</li>
 * <li>Read sla-events: lateness = record timestamp (the moment the relay handed it to Kafka) minus
 *     the deadline, for every probe. Then force a GC and read heap used again.</li>
 * </ol>
 * Figures go to stdout and to {@code --out} as JSON.
 */
public final class SlaBreachBench {
    static final String DATABASE = "sla_bench";

    public static void main(String[] args) throws Exception {
        int timers = BenchSupport.intArg(args, "--timers", 100_000);
        int probes = BenchSupport.intArg(args, "--probes", 2_000);
        Path root = BenchSupport.root();
        Path out = Path.of(BenchSupport.stringArg(args, "--out", root.resolve("bench/results/sla-breach.json").toString()));
        Path jar = root.resolve("sla-service/target/quarkus-app/quarkus-run.jar");

        BenchSupport.createTopics();
        TestPostgres.get().ensureDatabase(DATABASE);
        long baseline;
        try (ServiceProcess sla = ServiceProcess.start(jar, DATABASE, Map.of())) {
            Thread.sleep(5_000);
            baseline = heapAfterGc(sla);
        }
        BenchSupport.log("baseline heap after GC, no timers: %,d bytes", baseline);

        Instant far = Instant.now().plus(Duration.ofDays(1));
        long seedStart = System.nanoTime();
        seed("o", timers, i -> far.plusMillis(i));
        BenchSupport.log("seeded %,d open timers in %d ms", timers, (System.nanoTime() - seedStart) / 1_000_000);

        try (ServiceProcess sla = ServiceProcess.start(jar, DATABASE, Map.of())) {
            BenchSupport.awaitOwnership(sla);
            Instant first = Instant.now().plusSeconds(30);
            long spreadMs = 60_000L / probes;
            List<Instant> deadlines = new ArrayList<>();
            for (int i = 0; i < probes; i++) {
                deadlines.add(first.plusMillis(i * spreadMs));
            }
            String run = UUID.randomUUID().toString().substring(0, 8);
            seed("p" + run + "-", probes, deadlines::get);
            BenchSupport.log("seeded %,d probe timers due from %s over 60 s", probes, first);

            List<Long> lateness = new ArrayList<>();
            List<Long> decision = new ArrayList<>();
            int duplicates = readBreaches("p" + run + "-", probes, deadlines.get(probes - 1).plusSeconds(60),
                    lateness, decision);
            long after = heapAfterGc(sla);
            long scheduled = metric(sla, "pledge_sla_clock_scheduled");
            Result result = new Result(Instant.now(), timers + probes, probes, lateness.size(), duplicates,
                    BenchSupport.Stats.of(lateness), BenchSupport.Stats.of(decision), baseline, after,
                    (double) (after - baseline) / (timers + probes), scheduled, Runtime.getRuntime().availableProcessors());
            print(result, lateness);
            Files.createDirectories(out.getParent());
            Files.writeString(out, EventJson.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(result) + "\n");
            BenchSupport.log("written %s", out);
        }
        System.exit(0);
    }

    /** What one run measured; lateness in milliseconds. */
    record Result(Instant at, int openTimers, int probes, int breachesSeen, int duplicateBreaches,
            BenchSupport.Stats emittedLateness, BenchSupport.Stats decisionLateness, long heapBaselineBytes, long heapWithTimersBytes,
            double heapBytesPerOpenTimer, long timersHeldInMemory, int cores) {
    }

    /** Running first-response timers, 24x7, next (and only) firing at the deadline. */
    private static void seed(String prefix, int count, java.util.function.IntFunction<Instant> deadline) throws Exception {
        TestPostgres pg = TestPostgres.get();
        try (Connection c = DriverManager.getConnection(pg.jdbcUrl(DATABASE), pg.user(), pg.password())) {
            var copy = c.unwrap(PGConnection.class).getCopyAPI();
            String now = Instant.now().toString();
            int chunk = 50_000;
            for (int from = 0; from < count; from += chunk) {
                StringBuilder contacts = new StringBuilder();
                StringBuilder rows = new StringBuilder();
                for (int i = from; i < Math.min(count, from + chunk); i++) {
                    String id = prefix + i;
                    Instant due = deadline.apply(i);
                    long targetMs = Duration.between(Instant.parse(now), due).toMillis();
                    contacts.append(id).append('\t').append(i % BenchSupport.PARTITIONS).append("\tchat\tnormal\tstandard\tother\t\\N\topen\t")
                            .append(now).append('\n');
                    rows.append(id).append("\tfirst-response\t1\t").append(i % BenchSupport.PARTITIONS)
                            .append("\trunning\tbench\t24x7\t1\t").append(targetMs).append("\t0\t").append(now).append('\t')
                            .append(due).append("\t90\tf\t").append(due).append('\t').append(now).append('\n');
                }
                copy.copyIn("COPY sla_contact (contact_id, kafka_partition, channel, priority, tier, category, team,"
                        + " status, received_at) FROM STDIN", reader(contacts));
                copy.copyIn("COPY sla_timer (contact_id, metric, cycle, kafka_partition, state, rule, calendar,"
                        + " policy_version, target_ms, used_ms, segment_start, deadline, warned_percent, breached,"
                        + " next_fire_at, started_at) FROM STDIN", reader(rows));
            }
        }
    }

    private static Reader reader(StringBuilder sb) {
        return new StringReader(sb.toString());
    }

    private static int readBreaches(String prefix, int probes, Instant until, List<Long> lateness, List<Long> decision) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafka.get().bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "bench-" + UUID.randomUUID());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        Set<String> seen = new HashSet<>();
        int duplicates = 0;
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(Topics.SLA_EVENTS));
            while (seen.size() < probes && Instant.now().isBefore(until)) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                    Header type = r.headers().lastHeader("ce_type");
                    if (r.key() == null || !r.key().startsWith(prefix) || type == null
                            || !"pledge.sla.breached".equals(new String(type.value(), StandardCharsets.UTF_8))) {
                        continue;
                    }
                    if (!seen.add(r.key())) {
                        duplicates++;
                        continue;
                    }
                    SlaEvent.Breached b = EventJson.fromJson(r.value(), SlaEvent.Breached.class);
                    lateness.add(r.timestamp() - b.deadline().toEpochMilli());
                    decision.add(Duration.between(b.deadline(), b.at()).toMillis());
                    if (r.timestamp() - b.deadline().toEpochMilli() > 200) {
                        BenchSupport.log("late: %s due %s emitted %d ms late (decided %d ms late)", r.key(), b.deadline(),
                                r.timestamp() - b.deadline().toEpochMilli(), Duration.between(b.deadline(), b.at()).toMillis());
                    }
                }
            }
        }
        return duplicates;
    }

    /** Forces a full GC in the service (jcmd), then reads heap used from its metrics. */
    private static long heapAfterGc(ServiceProcess sla) throws Exception {
        Process gc = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                String.valueOf(sla.pid()), "GC.run").redirectErrorStream(true).start();
        gc.getInputStream().readAllBytes();
        gc.waitFor();
        Thread.sleep(500);
        return metric(sla, "jvm_memory_used_bytes{area=\"heap\"");
    }

    /** Sum of the Prometheus samples whose name (and labels) start with {@code prefix}. */
    private static long metric(ServiceProcess sla, String prefix) throws IOException, InterruptedException {
        return Math.round(BenchSupport.metrics(sla).entrySet().stream().filter(e -> e.getKey().startsWith(prefix))
                .mapToDouble(Map.Entry::getValue).sum());
    }

    private static void print(Result r, List<Long> lateness) {
        System.out.printf(Locale.ROOT, "%nsla-service breach lateness, %,d open timers, %,d probes, %d cores%n", r.openTimers(),
                r.probes(), r.cores());
        System.out.printf(Locale.ROOT, "  breaches seen %,d, duplicates %d%n", r.breachesSeen(), r.duplicateBreaches());
        System.out.printf(Locale.ROOT, "  emitted - deadline (ms): median %d, p99 %d, max %d%n", r.emittedLateness().medianMs(),
                r.emittedLateness().p99Ms(), r.emittedLateness().maxMs());
        System.out.printf(Locale.ROOT, "  decided - deadline (ms): median %d, p99 %d, max %d%n", r.decisionLateness().medianMs(),
                r.decisionLateness().p99Ms(), r.decisionLateness().maxMs());
        System.out.printf(Locale.ROOT, "  heap after GC: %,d bytes without timers, %,d with; %.1f bytes per open timer;"
                + " %,d timers held in memory%n", r.heapBaselineBytes(), r.heapWithTimersBytes(), r.heapBytesPerOpenTimer(),
                r.timersHeldInMemory());
        long[] edges = {10, 25, 50, 100, 250, 500, 1000, Long.MAX_VALUE};
        long[] counts = new long[edges.length];
        for (long l : lateness) {
            for (int i = 0; i < edges.length; i++) {
                if (l < edges[i]) {
                    counts[i]++;
                    break;
                }
            }
        }
        System.out.println("  lateness histogram (emitted - deadline):");
        for (int i = 0; i < edges.length; i++) {
            String label = (i == 0 ? "      < " + edges[i] : edges[i] == Long.MAX_VALUE ? "   >= " + edges[i - 1]
                    : String.format("%4d-%-4d", edges[i - 1], edges[i])) + " ms";
            int bar = lateness.isEmpty() ? 0 : (int) (50 * counts[i] / lateness.size());
            System.out.printf(Locale.ROOT, "  %-15s %6d %s%n", label, counts[i], "#".repeat(bar));
        }
    }

    private SlaBreachBench() {
    }
}
