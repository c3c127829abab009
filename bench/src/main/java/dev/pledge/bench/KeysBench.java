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
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.ToDoubleFunction;

/**
 * The {@code Idempotency-Key} path against the path without one, at growing table sizes: intake-service
 * alone (fsync on), a closed loop of {@code --connections} requests in flight ({@link ClosedLoad}, as
 * {@code wrk} runs), windows with and without a key run back to back on the same server and table in
 * blocks of four, with, without, without, with, then without, with, with, without, and so on ({@code --blocks},
 * 2 by default): a drift in the machine or the table falls on both alike, and this machine's speed drifts by a
 * quarter or more within a minute, so short windows often alternated compare better than long ones.
 * Before each size the table is filled to it with contacts as front ends leave them (a random UUID key
 * and external id each, received 400 days before the bench's); filling evicts from the shared buffers what
 * the requests use, so two unmeasured windows, one of each path, settle the size before the measured ones.
 * Each measured window starts with a checkpoint: the first change to a page after one writes the whole page
 * to the WAL, and a random-keyed index has a page of its own for nearly every insert, so where a checkpoint
 * falls decides much of what a window costs; this way both paths pay it alike, once a window (at these rates
 * {@code max_wal_size} alone forces one about every 25 s). Reports each window's contacts a second, latency,
 * WAL bytes, CPU (intake, PostgreSQL) and blocks read into the shared buffers (for the heap and each index of
 * {@code contact}) a contact, and at each size the ratio with/without and each block's ratio (the spread).
 */
public final class KeysBench {
    static final String DATABASE = "keys_bench";

    public static void main(String[] args) throws Exception {
        String fsync = BenchSupport.fsync(args);
        int connections = BenchSupport.intArg(args, "--connections", 64);
        Duration window = Duration.ofSeconds(BenchSupport.intArg(args, "--window-seconds", 30));
        int blocks = BenchSupport.intArg(args, "--blocks", 2);
        if (blocks < 1) {
            throw new IllegalArgumentException("--blocks needs at least 1 (four windows)");
        }
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
                BenchSupport.log("%,d contacts (%,d filled), key index %,d MB: %d blocks of four %d s windows", rows, filled,
                        indexBytes >> 20, blocks, window.toSeconds());
                // Filling streams gigabytes through the shared buffers and evicts what the requests use (the random
                // indexes' pages): the first window after it would pay for reading them back. Unmeasured windows,
                // one of each path, warm them first, so that cost falls on neither.
                for (boolean keyed : new boolean[] {false, true}) {
                    IntakeBench.drain(DATABASE);
                    window(load, intake, db, window, keyed, token, "settling");
                }
                List<Window> windows = new ArrayList<>();
                for (int i = 0; i < 4 * blocks; i++) {
                    boolean keyed = (i / 4 % 2 == 0) == (i % 4 == 0 || i % 4 == 3);
                    IntakeBench.drain(DATABASE);
                    TestPostgres.get().execute(DATABASE, "CHECKPOINT");
                    windows.add(window(load, intake, db, window, keyed, token, ""));
                }
                Size s = Size.of(rows, indexBytes, windows);
                results.add(s);
                BenchSupport.log("  with a key %,.0f/s, without %,.0f/s: %.3f (blocks %s)", s.keyedPerSecond(),
                        s.unkeyedPerSecond(), s.ratio(), s.blockRatios());
            }
            Result result = new Result(Instant.now(), fsync, connections, window.toSeconds(), results);
            print(result);
            Files.createDirectories(out.getParent());
            Files.writeString(out, EventJson.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(result) + "\n");
            BenchSupport.log("written %s", out);
        }
        System.exit(0);
    }

    private static Window window(ClosedLoad load, ServiceProcess intake, Connection db, Duration length, boolean keyed,
            String token, String label) throws Exception {
        Map<String, Long> readBefore = blocksRead(db);
        long walBefore = walBytes();
        double intakeBefore = BenchSupport.cpu(intake).toMillis();
        double pgBefore = Cpu.postgres();
        ClosedLoad.Window w = load.run(length, n -> request(token, keyed, n));
        long contacts = Math.max(1, w.answered2xx());
        Window result = new Window(keyed, w.answeredPerSecond(), w.failed(), w.p50Ms(), w.p99Ms(),
                (walBytes() - walBefore) / contacts, (BenchSupport.cpu(intake).toMillis() - intakeBefore) / contacts,
                (Cpu.postgres() - pgBefore) / contacts, perContact(readBefore, blocksRead(db), contacts));
        BenchSupport.log("    %-7s %,6.0f/s, %d failed, ms p50 %.1f p99 %.1f; a contact: %,d B of WAL, CPU ms intake %.3f,"
                + " PostgreSQL %.3f %s", keyed ? "with" : "without", result.perSecond(), result.failed(), result.p50Ms(),
                result.p99Ms(), result.walBytesPerContact(), result.intakeCpuMs(), result.postgresCpuMs(), label);
        BenchSupport.log("            blocks a contact read into shared buffers: %s", result.blocksRead());
        return result;
    }

    /**
     * How many blocks PostgreSQL has read into its shared buffers so far (from the OS: a miss) for {@code
     * contact}'s heap and each of its indexes: what a window had to read back, the rest being hits.
     */
    private static Map<String, Long> blocksRead(Connection db) throws SQLException {
        Map<String, Long> read = new TreeMap<>();
        try (Statement st = db.createStatement(); ResultSet rows = st.executeQuery("""
                SELECT 'heap', heap_blks_read FROM pg_statio_user_tables WHERE relname = 'contact'
                UNION ALL SELECT indexrelname, idx_blks_read FROM pg_statio_user_indexes WHERE relname = 'contact'
                """)) {
            while (rows.next()) {
                read.put(rows.getString(1), rows.getLong(2));
            }
        }
        return read;
    }

    private static Map<String, Double> perContact(Map<String, Long> before, Map<String, Long> after, long contacts) {
        Map<String, Double> per = new TreeMap<>();
        after.forEach((relation, n) -> per.put(relation,
                Math.round((n - before.getOrDefault(relation, 0L)) * 1000.0 / contacts) / 1000.0));
        return per;
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
        System.out.printf(Locale.ROOT, "  %12s %10s %12s %12s %7s %14s  %s%n", "contacts", "key index", "with key/s",
                "without/s", "ratio", "WAL B with/out", "ratio by block");
        for (Size s : r.sizes()) {
            System.out.printf(Locale.ROOT, "  %,12d %7d MB %,12.0f %,12.0f %7.3f %,7.0f/%,.0f  %s%n", s.contacts(),
                    s.keyIndexBytes() >> 20, s.keyedPerSecond(), s.unkeyedPerSecond(), s.ratio(), s.keyedWalBytes(),
                    s.unkeyedWalBytes(), s.blockRatios());
        }
    }

    /** One window: with or without a key, contacts a second, latency, WAL bytes and CPU ms a contact. */
    record Window(boolean keyed, double perSecond, long failed, double p50Ms, double p99Ms, long walBytesPerContact,
            double intakeCpuMs, double postgresCpuMs, Map<String, Double> blocksRead) {
    }

    /**
     * One table size: its windows, the mean contacts a second with and without a key, their ratio, and each block's
     * ratio (four windows, two of each).
     */
    record Size(long contacts, long keyIndexBytes, double keyedPerSecond, double unkeyedPerSecond, double ratio,
            List<Double> blockRatios, double keyedWalBytes, double unkeyedWalBytes, List<Window> windows) {
        static Size of(long contacts, long keyIndexBytes, List<Window> windows) {
            List<Double> blocks = new ArrayList<>();
            for (int i = 0; i + 4 <= windows.size(); i += 4) {
                blocks.add(ratio(windows.subList(i, i + 4)));
            }
            return new Size(contacts, keyIndexBytes, mean(windows, true, Window::perSecond),
                    mean(windows, false, Window::perSecond), ratio(windows), blocks,
                    mean(windows, true, Window::walBytesPerContact), mean(windows, false, Window::walBytesPerContact), windows);
        }

        private static double ratio(List<Window> windows) {
            return Math.round(mean(windows, true, Window::perSecond) / mean(windows, false, Window::perSecond) * 1000) / 1000.0;
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
