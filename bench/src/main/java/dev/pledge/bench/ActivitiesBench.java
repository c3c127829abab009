package dev.pledge.bench;

import dev.pledge.events.EventJson;
import dev.pledge.testinfra.ServiceProcess;
import dev.pledge.testinfra.TestPostgres;
import dev.pledge.testinfra.TestTokens;
import io.vertx.core.buffer.Buffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.ToDoubleFunction;

/**
 * Activities ({@code POST /contacts/{id}/activities}, every one with a random {@code Idempotency-Key}, as front
 * ends send them) applied in groups against one transaction each, interleaved: two intake-services on one
 * database (fsync on), the same build, one with {@code pledge.intake.group-commit.activities} on (the default)
 * and one with it off, and a closed loop of {@code --connections} requests in flight ({@link ClosedLoad}) sent
 * to one of them a window at a time, in blocks of four (grouped, alone, alone, grouped, then alone, grouped,
 * grouped, alone, and so on; {@code --blocks}), so a drift of the machine falls on both alike. The other
 * service idles meanwhile. Requests go to random contacts of {@code --contacts} made first, agent and
 * customer replies in turn. Reports each window's activities a second, latency, and CPU (the service
 * answering, PostgreSQL) and WAL bytes an activity, and the ratio grouped ÷ alone with each block's.
 */
public final class ActivitiesBench {
    static final String DATABASE = "activities_bench";

    public static void main(String[] args) throws Exception {
        String fsync = BenchSupport.fsync(args);
        int connections = BenchSupport.intArg(args, "--connections", 64);
        int contacts = BenchSupport.intArg(args, "--contacts", 20_000);
        Duration window = Duration.ofSeconds(BenchSupport.intArg(args, "--window-seconds", 20));
        int blocks = BenchSupport.intArg(args, "--blocks", 2);
        int warmupSeconds = BenchSupport.intArg(args, "--warmup-seconds", 120);
        if (blocks < 1 || contacts < 1) {
            throw new IllegalArgumentException("--blocks and --contacts need at least 1");
        }
        Path out = BenchSupport.out(args, "activities", fsync);
        BenchSupport.createTopics();
        TestPostgres.get().ensureDatabase(DATABASE);
        Path jar = BenchSupport.root().resolve("intake-service/target/quarkus-app/quarkus-run.jar");
        try (ServiceProcess grouped = ServiceProcess.start(jar, DATABASE, Map.of(), BenchSupport.SERVICE_JVM);
                ServiceProcess alone = ServiceProcess.start(jar, DATABASE,
                        Map.of("PLEDGE_INTAKE_GROUP_COMMIT_ACTIVITIES", "false"), BenchSupport.SERVICE_JVM);
                ClosedLoad toGrouped = new ClosedLoad(grouped.url(), connections);
                ClosedLoad toAlone = new ClosedLoad(alone.url(), connections)) {
            String frontEnd = "Bearer " + TestTokens.forSubject("bench", TestTokens.AUDIENCE, "intake");
            String agent = "Bearer " + TestTokens.forSubject("bench-agent", TestTokens.AUDIENCE, "agent");
            BenchSupport.log("making %,d contacts", contacts);
            List<String> ids = makeContacts(toGrouped, frontEnd, contacts);
            BenchSupport.log("%,d contacts; warming both services up: %d s, in turns, %d in flight", ids.size(),
                    warmupSeconds, connections);
            for (int i = 0; i < 4; i++) {
                (i % 2 == 0 ? toGrouped : toAlone).run(Duration.ofSeconds(warmupSeconds / 4), n -> activity(agent, ids, n));
                IntakeBench.drain(DATABASE);
            }
            List<Window> windows = new ArrayList<>();
            for (int i = 0; i < 4 * blocks; i++) {
                boolean inGroups = (i / 4 % 2 == 0) == (i % 4 == 0 || i % 4 == 3);
                IntakeBench.drain(DATABASE);
                TestPostgres.get().execute(DATABASE, "CHECKPOINT");
                windows.add(window(inGroups ? toGrouped : toAlone, inGroups ? grouped : alone, inGroups, window,
                        n -> activity(agent, ids, n)));
            }
            Result result = Result.of(fsync, connections, ids.size(), window.toSeconds(), windows);
            System.out.printf(Locale.ROOT, "%nintake-service, activities with Idempotency-Key, fsync %s, %d in flight, %,d"
                    + " contacts, %d s windows%n  in groups %,.0f/s (p99 %.1f ms), one transaction each %,.0f/s (p99 %.1f ms):"
                    + " %.2f× (blocks %s)%n  CPU ms an activity, intake %.3f / %.3f, PostgreSQL %.3f / %.3f%n", fsync,
                    connections, ids.size(), window.toSeconds(), result.groupedPerSecond(), result.groupedP99Ms(),
                    result.alonePerSecond(), result.aloneP99Ms(), result.ratio(), result.blockRatios(),
                    result.groupedIntakeCpuMs(), result.aloneIntakeCpuMs(), result.groupedPostgresCpuMs(),
                    result.alonePostgresCpuMs());
            Files.createDirectories(out.getParent());
            Files.writeString(out, EventJson.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(result) + "\n");
            BenchSupport.log("written %s", out);
        }
        System.exit(0);
    }

    /** Contacts to act on, made through the service (so as front ends make them), their ids read back. */
    private static List<String> makeContacts(ClosedLoad load, String token, int contacts) throws Exception {
        while (count() < contacts) {
            load.run(Duration.ofSeconds(5), n -> new OpenLoad.Request("/contacts", IntakeBench.headers(token, true),
                    Buffer.buffer(IntakeBench.json(IntakeBench.body(
                            "cust-" + ThreadLocalRandom.current().nextInt(100_000), n))), null));
        }
        IntakeBench.drain(DATABASE);
        List<String> ids = new ArrayList<>();
        try (Connection db = TestPostgres.get().connect(DATABASE);
                ResultSet rows = db.createStatement().executeQuery("SELECT id FROM contact LIMIT " + contacts)) {
            while (rows.next()) {
                ids.add(rows.getString(1));
            }
        }
        return ids;
    }

    private static OpenLoad.Request activity(String token, List<String> ids, long n) {
        String id = ids.get(ThreadLocalRandom.current().nextInt(ids.size()));
        String json = n % 2 == 0 ? "{\"type\": \"agent-replied\"}" : "{\"type\": \"customer-replied\"}";
        return new OpenLoad.Request("/contacts/" + id + "/activities", IntakeBench.headers(token, true),
                Buffer.buffer(json), null);
    }

    private static Window window(ClosedLoad load, ServiceProcess service, boolean inGroups, Duration length,
            java.util.function.LongFunction<OpenLoad.Request> requests) throws Exception {
        long walBefore = walBytes();
        double serviceBefore = BenchSupport.cpu(service).toMillis();
        double pgBefore = Cpu.postgres();
        ClosedLoad.Window w = load.run(length, requests);
        long n = Math.max(1, w.answered2xx());
        Window result = new Window(inGroups, w.answeredPerSecond(), w.failed(), w.p50Ms(), w.p99Ms(),
                (walBytes() - walBefore) / n, (BenchSupport.cpu(service).toMillis() - serviceBefore) / n,
                (Cpu.postgres() - pgBefore) / n);
        BenchSupport.log("    %-9s %,6.0f/s, %d failed, ms p50 %.1f p99 %.1f; an activity: %,d B of WAL, CPU ms intake %.3f,"
                + " PostgreSQL %.3f", inGroups ? "in groups" : "alone", result.perSecond(), result.failed(), result.p50Ms(),
                result.p99Ms(), result.walBytesPerActivity(), result.intakeCpuMs(), result.postgresCpuMs());
        return result;
    }

    private static long count() {
        return TestPostgres.get().count(DATABASE, "SELECT count(*) FROM contact");
    }

    private static long walBytes() {
        return TestPostgres.get().count(DATABASE, "SELECT pg_current_wal_lsn() - '0/0'::pg_lsn");
    }

    /** One window: in groups or one transaction each; activities a second, latency, WAL bytes and CPU ms an activity. */
    record Window(boolean inGroups, double perSecond, long failed, double p50Ms, double p99Ms, long walBytesPerActivity,
            double intakeCpuMs, double postgresCpuMs) {
    }

    record Result(Instant at, String fsync, int connections, int contacts, long windowSeconds, double groupedPerSecond,
            double alonePerSecond, double ratio, List<Double> blockRatios, double groupedP99Ms, double aloneP99Ms,
            double groupedIntakeCpuMs, double aloneIntakeCpuMs, double groupedPostgresCpuMs, double alonePostgresCpuMs,
            List<Window> windows) {
        static Result of(String fsync, int connections, int contacts, long windowSeconds, List<Window> windows) {
            List<Double> blocks = new ArrayList<>();
            for (int i = 0; i + 4 <= windows.size(); i += 4) {
                List<Window> block = windows.subList(i, i + 4);
                blocks.add(round(mean(block, true, Window::perSecond) / mean(block, false, Window::perSecond)));
            }
            return new Result(Instant.now(), fsync, connections, contacts, windowSeconds,
                    mean(windows, true, Window::perSecond), mean(windows, false, Window::perSecond),
                    round(mean(windows, true, Window::perSecond) / mean(windows, false, Window::perSecond)), blocks,
                    mean(windows, true, Window::p99Ms), mean(windows, false, Window::p99Ms),
                    mean(windows, true, Window::intakeCpuMs), mean(windows, false, Window::intakeCpuMs),
                    mean(windows, true, Window::postgresCpuMs), mean(windows, false, Window::postgresCpuMs), windows);
        }

        private static double round(double ratio) {
            return Math.round(ratio * 100) / 100.0;
        }

        private static double mean(List<Window> windows, boolean inGroups, ToDoubleFunction<Window> f) {
            return windows.stream().filter(w -> w.inGroups() == inGroups).mapToDouble(f).average().orElse(0);
        }
    }

    private ActivitiesBench() {
    }
}
