package dev.pledge.bench;

import dev.pledge.events.EventJson;
import dev.pledge.testinfra.ServiceProcess;
import dev.pledge.testinfra.TestPostgres;
import dev.pledge.testinfra.TestTokens;
import io.vertx.core.buffer.Buffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.ToDoubleFunction;

/**
 * The {@code Idempotency-Key} path against the path without one, at growing table sizes: intake-service
 * alone (fsync on), a closed loop of {@code --connections} requests in flight ({@link ClosedLoad}, as
 * {@code wrk} runs), windows with and without a key run back to back on the same server and table in the
 * order with, without, without, with (so that a drift in the machine or the table falls on both alike).
 * Before each size the table is filled to it with contacts as front ends leave them (a random UUID key
 * and external id each, received 400 days before the bench's). Each window starts with a checkpoint: the
 * first change to a page after one writes the whole page to the WAL, and a random-keyed index has a page
 * of its own for nearly every insert, so where a checkpoint falls decides much of what a window costs;
 * this way both paths pay it alike, once a window (a checkpoint a minute: PostgreSQL's timed one is
 * every 5 minutes, so this is the harder case). Reports each window's contacts a second, latency, WAL bytes and CPU
 * (intake, PostgreSQL) a contact, and the ratio with/without at each size.
 */
public final class KeysBench {
    static final String DATABASE = "keys_bench";

    public static void main(String[] args) throws Exception {
        String fsync = BenchSupport.fsync(args);
        int connections = BenchSupport.intArg(args, "--connections", 64);
        Duration window = Duration.ofSeconds(BenchSupport.intArg(args, "--window-seconds", 60));
        int warmupSeconds = BenchSupport.intArg(args, "--warmup-seconds", 120);
        double[] sizes = Arrays.stream(BenchSupport.stringArg(args, "--sizes", "1,2,4,8").split(","))
                .mapToDouble(Double::parseDouble).toArray();
        Path out = BenchSupport.out(args, "keys", fsync);
        BenchSupport.createTopics();
        TestPostgres.get().ensureDatabase(DATABASE);
        try (ServiceProcess intake = ServiceProcess.start(
                BenchSupport.root().resolve("intake-service/target/quarkus-app/quarkus-run.jar"), DATABASE, Map.of(),
                BenchSupport.SERVICE_JVM); ClosedLoad load = new ClosedLoad(intake.url(), connections);
                Connection db = TestPostgres.get().connect(DATABASE)) {
            String caller = "bench";
            String token = "Bearer " + TestTokens.forSubject(caller, TestTokens.AUDIENCE, "intake");
            BenchSupport.log("warming intake up: %d s, keyed and unkeyed in turns, %d in flight", warmupSeconds, connections);
            for (int i = 0; i < 4; i++) {
                boolean keyed = i % 2 == 0;
                load.run(Duration.ofSeconds(warmupSeconds / 4), n -> request(token, keyed, n));
                IntakeBench.drain(DATABASE);
            }
            List<Size> results = new ArrayList<>();
            for (double millions : sizes) {
                long target = Math.round(millions * 1_000_000);
                long filled = fill(db, caller, target);
                long rows = count();
                long indexBytes = keyIndexBytes();
                BenchSupport.log("%,d contacts (%,d filled), key index %,d MB: windows of %d s, with, without, without, with",
                        rows, filled, indexBytes >> 20, window.toSeconds());
                List<Window> windows = new ArrayList<>();
                for (boolean keyed : new boolean[] {true, false, false, true}) {
                    IntakeBench.drain(DATABASE);
                    TestPostgres.get().execute(DATABASE, "CHECKPOINT");
                    windows.add(window(load, intake, window, keyed, token));
                }
                Size s = Size.of(rows, indexBytes, windows);
                results.add(s);
                BenchSupport.log("  with a key %,.0f/s, without %,.0f/s: %.3f", s.keyedPerSecond(), s.unkeyedPerSecond(), s.ratio());
            }
            Result result = new Result(Instant.now(), fsync, connections, window.toSeconds(), results);
            print(result);
            Files.createDirectories(out.getParent());
            Files.writeString(out, EventJson.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(result) + "\n");
            BenchSupport.log("written %s", out);
        }
        System.exit(0);
    }

    private static Window window(ClosedLoad load, ServiceProcess intake, Duration length, boolean keyed,
            String token) throws Exception {
        long walBefore = walBytes();
        double intakeBefore = BenchSupport.cpu(intake).toMillis();
        double pgBefore = Cpu.postgres();
        ClosedLoad.Window w = load.run(length, n -> request(token, keyed, n));
        long contacts = Math.max(1, w.answered2xx());
        Window result = new Window(keyed, w.answeredPerSecond(), w.failed(), w.p50Ms(), w.p99Ms(),
                (walBytes() - walBefore) / contacts, (BenchSupport.cpu(intake).toMillis() - intakeBefore) / contacts,
                (Cpu.postgres() - pgBefore) / contacts);
        BenchSupport.log("    %-7s %,6.0f/s, %d failed, ms p50 %.1f p99 %.1f; a contact: %,d B of WAL, CPU ms intake %.3f,"
                + " PostgreSQL %.3f", keyed ? "with" : "without", result.perSecond(), result.failed(), result.p50Ms(),
                result.p99Ms(), result.walBytesPerContact(), result.intakeCpuMs(), result.postgresCpuMs());
        return result;
    }

    private static OpenLoad.Request request(String token, boolean keyed, long n) {
        return new OpenLoad.Request("/contacts", IntakeBench.headers(token, keyed),
                Buffer.buffer(IntakeBench.json(IntakeBench.body("cust-" + ThreadLocalRandom.current().nextInt(100_000), n))),
                null);
    }

    /**
     * Adds contacts until the table holds {@code target}: as front ends leave them (a random UUID key and
     * external id, this caller's), received before the bench's (their ids sort first, as older
     * time-ordered ids do). Returns how many it added.
     */
    private static long fill(Connection db, String caller, long target) throws SQLException {
        long have = count();
        long added = 0;
        long started = System.nanoTime();
        long first = counterStart();
        try (PreparedStatement insert = db.prepareStatement("""
                INSERT INTO contact (id, external_id, idempotency_key, caller, request_sha256, customer_id, customer_name,
                    customer_email, tier, channel, subject, body, category, priority, team, status, classified_by,
                    policy_version, occurred_at, received_at, updated_at)
                SELECT '0-' || lpad((? + n)::text, 14, '0'), 'filled-' || gen_random_uuid(), gen_random_uuid()::text, ?,
                    md5(n::text) || md5((n + 1)::text), 'cust-' || (n % 100000), 'Customer', 'customer@example.com',
                    'standard', (ARRAY['chat', 'email', 'phone'])[1 + n % 3], 'Order ' || n || ' has not arrived',
                    repeat('Hello, my order has not arrived. ', 6), 'delivery', 'normal', 'orders', 'resolved', 'bench-fill',
                    1, t, t, t
                FROM generate_series(1, ?) AS n, LATERAL (SELECT now() - interval '400 days' + n * interval '1 ms') AS at(t)
                """)) {
            while (have + added < target) {
                long chunk = Math.min(200_000, target - have - added);
                insert.setLong(1, first + added);
                insert.setString(2, caller);
                insert.setLong(3, chunk);
                insert.executeUpdate();
                added += chunk;
            }
        }
        if (added > 0) {
            BenchSupport.log("filled %,d contacts in %.0f s", added, (System.nanoTime() - started) / 1e9);
            TestPostgres.get().execute(DATABASE, "VACUUM ANALYZE contact");
        }
        return added;
    }

    /** Where the next filled contacts' numbers start: after those filled before. */
    private static long counterStart() {
        return number("SELECT count(*) FROM contact WHERE classified_by = 'bench-fill'");
    }

    private static long count() {
        return number("SELECT count(*) FROM contact");
    }

    /** The size of the index that holds the keys: a hash of {@code caller_key(caller, idempotency_key)} (decision 022). */
    private static long keyIndexBytes() {
        return number("SELECT pg_relation_size('contact_caller_idempotency_key')");
    }

    private static long walBytes() {
        return number("SELECT pg_current_wal_lsn() - '0/0'::pg_lsn");
    }

    /** The one number a query answers (TestPostgres.count: a connection of its own). */
    private static long number(String query) {
        return TestPostgres.get().count(DATABASE, query);
    }

    private static void print(Result r) {
        System.out.printf(Locale.ROOT, "%nintake-service, contacts with and without Idempotency-Key, fsync %s, %d in flight,"
                + " %d s windows%n", r.fsync(), r.connections(), r.windowSeconds());
        System.out.printf(Locale.ROOT, "  %12s %10s %12s %12s %7s %14s%n", "contacts", "key index", "with key/s", "without/s",
                "ratio", "WAL B with/out");
        for (Size s : r.sizes()) {
            System.out.printf(Locale.ROOT, "  %,12d %7d MB %,12.0f %,12.0f %7.3f %,7.0f/%,.0f%n", s.contacts(),
                    s.keyIndexBytes() >> 20, s.keyedPerSecond(), s.unkeyedPerSecond(), s.ratio(), s.keyedWalBytes(),
                    s.unkeyedWalBytes());
        }
    }

    /** One window: with or without a key, contacts a second, latency, WAL bytes and CPU ms a contact. */
    record Window(boolean keyed, double perSecond, long failed, double p50Ms, double p99Ms, long walBytesPerContact,
            double intakeCpuMs, double postgresCpuMs) {
    }

    /** One table size: its windows, and the mean contacts a second with and without a key, and their ratio. */
    record Size(long contacts, long keyIndexBytes, double keyedPerSecond, double unkeyedPerSecond, double ratio,
            double keyedWalBytes, double unkeyedWalBytes, List<Window> windows) {
        static Size of(long contacts, long keyIndexBytes, List<Window> windows) {
            double keyed = mean(windows, true, Window::perSecond);
            double unkeyed = mean(windows, false, Window::perSecond);
            return new Size(contacts, keyIndexBytes, keyed, unkeyed, Math.round(keyed / unkeyed * 1000) / 1000.0,
                    mean(windows, true, Window::walBytesPerContact), mean(windows, false, Window::walBytesPerContact), windows);
        }

        private static double mean(List<Window> windows, boolean keyed, ToDoubleFunction<Window> f) {
            return windows.stream().filter(w -> w.keyed() == keyed).mapToDouble(f).average().orElse(0);
        }
    }

    record Result(Instant at, String fsync, int connections, long windowSeconds, List<Size> sizes) {
    }

    private KeysBench() {
    }
}
