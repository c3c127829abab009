package dev.pledge.feedback;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pledge.feedback.repository.KpiRollups;
import dev.pledge.testinfra.ServiceProcess;
import dev.pledge.testinfra.TestPostgres;
import dev.pledge.testinfra.TestTokens;
import io.restassured.path.json.JsonPath;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The rollups kept by deltas (contributions taken out and put in, contact by contact) against the facts summed
 * afresh, over random changes to every fact table: contacts created (some after their other facts), reopened,
 * resolved, recategorised, repeated; targets started, met, breached, corrected, cancelled; escalations raised,
 * climbed and withdrawn; surveys answered and commented. Each round reads {@code GET /kpis} twice: while every
 * changed contact is still dirty (the test holds the refresher's lock, so the read corrects the rollups), and once
 * the refresher has applied them; both must equal the same period read from the facts alone.
 */
class IncrementalRollupsIT {
    static final List<String> CHANNELS = List.of("email", "chat", "phone");
    static final List<String> CATEGORIES = List.of("delivery", "billing", "no-follow-up");
    static final List<String> METRICS = List.of("first-response", "resolution", "promise");
    static final double[] SENTIMENTS = {-1, -0.5, 0, 0.5, 1};
    static ServiceProcess service;

    @BeforeAll
    static void start() {
        service = FeedbackTestSupport.sharedService();
    }

    /** The test's contacts: the ones with a fb_contact row, and the next ids (facts may come before the contact). */
    static final class World {
        final String prefix = "inc-" + UUID.randomUUID().toString().substring(0, 8) + "-";
        final Instant day;
        final Random random;
        final List<String> contacts = new ArrayList<>();
        final Map<String, Instant> received = new HashMap<>();
        int next;

        World(Instant day, Random random) {
            this.day = day;
            this.random = random;
        }

        String anyContact() {
            // mostly one that exists; sometimes the next, not yet received
            return contacts.isEmpty() || random.nextInt(6) == 0 ? prefix + next : contacts.get(random.nextInt(contacts.size()));
        }

        <T> T pick(List<T> from) {
            return from.get(random.nextInt(from.size()));
        }

        Instant receivedAt(String id) {
            return received.getOrDefault(id, day.plus(Duration.ofHours(12)));
        }

        void change(Connection db) throws Exception {
            int op = contacts.size() < 5 ? 0 : random.nextInt(8);
            String id = anyContact();
            switch (op) {
                case 0 -> {
                    id = prefix + next++;
                    Instant at = day.plus(Duration.ofMinutes(1 + random.nextInt(1438)));
                    String repeatOf = !contacts.isEmpty() && random.nextInt(4) == 0 ? pick(contacts) : null;
                    execute(db, """
                            INSERT INTO fb_contact (contact_id, customer_id, channel, priority, tier, category, team, repeat_of,
                                status, received_at, kafka_partition, policy_version)
                            VALUES (?, 'cust', ?, ?, ?, ?, ?, ?, 'open', ?, 0, 1)""", id, pick(CHANNELS),
                            random.nextBoolean() ? "normal" : "high", random.nextBoolean() ? null : "gold",
                            random.nextInt(4) == 0 ? null : pick(CATEGORIES), random.nextBoolean() ? null : "team-a", repeatOf,
                            java.sql.Timestamp.from(at));
                    contacts.add(id);
                    received.put(id, at);
                }
                case 1 -> execute(db, """
                        UPDATE fb_contact SET resolved_at = CASE WHEN ? THEN received_at + interval '1 hour' END,
                            closed_at = CASE WHEN ? THEN received_at + interval '2 hours' END, reopened = ?,
                            status = 'resolved' WHERE contact_id = ?""",
                        random.nextBoolean(), random.nextInt(4) == 0, random.nextInt(3) == 0 ? 1 : 0, id);
                case 2 -> execute(db, "UPDATE fb_contact SET category = ?, channel = ? WHERE contact_id = ?",
                        random.nextInt(4) == 0 ? null : pick(CATEGORIES), pick(CHANNELS), id);
                case 3 -> {
                    long elapsed = random.nextInt(3) == 0 ? random.nextInt(1000) : 1000 + random.nextInt(3_600_000);
                    int fate = random.nextInt(4); // 0 running, 1 ended, 2 breached, 3 cancelled
                    Instant start = receivedAt(id);
                    String metric = pick(METRICS);
                    execute(db, """
                            INSERT INTO fb_sla (contact_id, metric, cycle, started_at, rule, calendar, target_ms, breached_at,
                                ended_at, elapsed_ms, in_target, cancelled)
                            SELECT ?, ?, coalesce(max(cycle), 0) + 1, ?, 'everything', '24x7', 600000, ?, ?, ?, ?, ?
                            FROM fb_sla WHERE contact_id = ? AND metric = ?""",
                            id, metric, java.sql.Timestamp.from(start),
                            fate == 2 || (fate == 3 && random.nextBoolean()) ? java.sql.Timestamp.from(start.plusSeconds(600)) : null,
                            fate == 1 ? java.sql.Timestamp.from(start.plusMillis(elapsed)) : null,
                            fate == 1 || fate == 3 ? elapsed : null, fate == 1 ? (Object) (elapsed <= 600_000) : null,
                            fate == 3, id, metric);
                }
                case 4 -> execute(db, """
                        UPDATE fb_sla SET breached_at = CASE WHEN breached_at IS NULL THEN started_at END
                        WHERE (contact_id, metric, cycle) IN (SELECT contact_id, metric, cycle FROM fb_sla WHERE contact_id = ? LIMIT 1)""",
                        id);
                case 5 -> execute(db, """
                        INSERT INTO fb_escalation (contact_id, first_at, level, rank, escalation_id, open)
                        VALUES (?, ?, 'x', ?, 'e', true)
                        ON CONFLICT (contact_id) DO UPDATE SET rank = EXCLUDED.rank""",
                        id, java.sql.Timestamp.from(receivedAt(id)), random.nextInt(4));
                case 6 -> execute(db, "DELETE FROM fb_escalation WHERE contact_id = ?", id);
                default -> {
                    String kind = pick(List.of("csat", "nps", "ces"));
                    int score = switch (kind) {
                        case "csat" -> 1 + random.nextInt(5);
                        case "nps" -> random.nextInt(11);
                        default -> 1 + random.nextInt(7);
                    };
                    boolean comment = random.nextBoolean();
                    execute(db, """
                            INSERT INTO fb_survey (survey_id, contact_id, kind, channel, state, send_at, expires_after_s, score,
                                comment, theme, sentiment, kafka_partition, policy_version)
                            VALUES (?::uuid, ?, ?, 'email', ?, now(), 86400, ?, ?, ?, ?, 0, 1)
                            ON CONFLICT (contact_id) DO UPDATE SET kind = EXCLUDED.kind, state = EXCLUDED.state,
                                score = EXCLUDED.score, comment = EXCLUDED.comment, theme = EXCLUDED.theme, sentiment = EXCLUDED.sentiment""",
                            UUID.randomUUID().toString(), id, kind, random.nextInt(4) == 0 ? "requested" : "answered", score,
                            comment ? "it was fine" : null, comment && random.nextBoolean() ? pick(CATEGORIES) : null,
                            comment && random.nextBoolean() ? SENTIMENTS[random.nextInt(SENTIMENTS.length)] : null);
                }
            }
        }
    }

    @Test
    void rollupsKeptByDeltasEqualTheFactsSummedAfresh() throws Exception {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        // days no other test writes (they use 2020 on, and now)
        Instant day = Instant.parse("2000-01-03T00:00:00Z").plus(Duration.ofDays(random.nextInt(3000))).truncatedTo(ChronoUnit.DAYS);
        World world = new World(day, random);
        try (Connection db = TestPostgres.get().connect(FeedbackTestSupport.DATABASE);
                Connection lock = TestPostgres.get().connect(FeedbackTestSupport.DATABASE)) {
            for (int round = 0; round < 6; round++) {
                String as = "seed " + seed + ", round " + round;
                // the refresher cannot take the lock: every contact changed in this round stays dirty until it is released
                lock.setAutoCommit(false);
                try (Statement s = lock.createStatement()) {
                    s.execute("SELECT pg_advisory_xact_lock(" + KpiRollups.REFRESHER_LOCK + ")");
                }
                for (int i = 0; i < 40; i++) {
                    world.change(db);
                }
                assertThat(dirty(db, world)).as(as).isPositive();
                readsEqualTheFacts(day, as + ", contacts dirty");
                lock.commit();

                Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> dirty(db, world) == 0);
                String range = "c.received_at >= '%s' AND c.received_at < '%s'".formatted(day, day.plus(Duration.ofDays(1)));
                List<String> dims = List.copyOf(KpiRollups.DIMENSIONS.keySet());
                String theDay = " WHERE day = '" + day.toString().substring(0, 10) + "'";
                assertThat(rows(db, "SELECT * FROM fb_kpi_day" + theDay)).as(as + ": counters")
                        .containsExactlyInAnyOrderElementsOf(rows(db, KpiRollups.counters(KpiRollups.live(range), dims)));
                assertThat(rows(db, "SELECT * FROM fb_kpi_hist" + theDay)).as(as + ": histograms")
                        .containsExactlyInAnyOrderElementsOf(rows(db, KpiRollups.histograms(KpiRollups.liveHistogram(range), dims)));
                assertThat(rows(db, "SELECT * FROM fb_kpi_theme" + theDay)).as(as + ": themes")
                        .containsExactlyInAnyOrderElementsOf(rows(db, KpiRollups.themes(KpiRollups.live(range))));
                readsEqualTheFacts(day, as + ", rollups current");
            }
        }
    }

    /**
     * Periods read from the rollups (a whole day; a day mostly in the period, less its first hours; a day mostly
     * out, its last hours added) against the same contacts read from the facts alone (periods without a whole
     * day): every figure but the percentiles, which the rollups give to within a bucket.
     */
    private static void readsEqualTheFacts(Instant day, String as) {
        Instant end = day.plus(Duration.ofDays(1));
        for (String groupBy : List.of("none", "channel", "category", "week")) {
            JsonPath rolled = kpis(day, end, groupBy);
            JsonPath exact = kpis(day.plusMillis(1), end, groupBy);
            assertThat(rolled.getString("percentiles")).as(as).isEqualTo("buckets");
            assertThat(exact.getString("percentiles")).as(as).isEqualTo("exact");
            assertSameFigures(rolled, exact, as + ", whole day by " + groupBy);
        }
        for (Duration skipped : List.of(Duration.ofHours(3), Duration.ofHours(21))) {
            JsonPath rolled = kpis(day.plus(skipped), end.plus(Duration.ofDays(1)), "channel");
            JsonPath exact = kpis(day.plus(skipped), end, "channel");
            assertThat(rolled.getString("percentiles")).as(as).isEqualTo("buckets");
            assertSameFigures(rolled, exact, as + ", from " + skipped + " in");
        }
    }

    private static void assertSameFigures(JsonPath rolled, JsonPath exact, String as) {
        assertThat(withoutPercentiles(rolled.getList("groups"))).as(as).isEqualTo(withoutPercentiles(exact.getList("groups")));
        assertThat(rolled.getMap("complaints")).as(as + ": complaints").isEqualTo(exact.getMap("complaints"));
        assertThat(rolled.getList("commentThemes")).as(as + ": themes").isEqualTo(exact.getList("commentThemes"));
    }

    @SuppressWarnings("unchecked")
    private static List<Object> withoutPercentiles(List<Object> groups) {
        List<Object> out = new ArrayList<>();
        for (Object g : groups) {
            Map<String, Object> copy = new java.util.TreeMap<>((Map<String, Object>) g);
            for (String times : List.of("firstResponse", "resolution")) {
                Object t = copy.get(times);
                if (t instanceof Map<?, ?> m) {
                    Map<String, Object> kept = new java.util.TreeMap<>((Map<String, Object>) m);
                    kept.remove("median");
                    kept.remove("p90");
                    copy.put(times, kept);
                }
            }
            out.add(copy);
        }
        return out;
    }

    private static long dirty(Connection db, World world) throws Exception {
        try (PreparedStatement s = db.prepareStatement("SELECT count(*) FROM fb_dirty_contact WHERE contact_id LIKE ?")) {
            s.setString(1, world.prefix + "%");
            try (ResultSet r = s.executeQuery()) {
                r.next();
                return r.getLong(1);
            }
        }
    }

    /** A query's rows as strings, for comparing row sets (a rollup's {@code value} is {@code g} in a query). */
    private static List<String> rows(Connection db, String sql) throws Exception {
        List<String> rows = new ArrayList<>();
        try (Statement s = db.createStatement(); ResultSet r = s.executeQuery(sql)) {
            ResultSetMetaData meta = r.getMetaData();
            while (r.next()) {
                StringBuilder row = new StringBuilder();
                for (int i = 1; i <= meta.getColumnCount(); i++) {
                    row.append(meta.getColumnLabel(i)).append('=').append(r.getString(i)).append(' ');
                }
                rows.add(row.toString().replace(" g=", " value="));
            }
        }
        return rows;
    }

    private static void execute(Connection db, String sql, Object... args) throws Exception {
        try (PreparedStatement s = db.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                s.setObject(i + 1, args[i]);
            }
            s.executeUpdate();
        }
    }

    private static JsonPath kpis(Instant from, Instant to, String groupBy) {
        return given().baseUri(service.url()).auth().oauth2(TestTokens.forRoles("analyst"))
                .queryParam("from", from.toString()).queryParam("to", to.toString()).queryParam("groupBy", groupBy)
                .get("/kpis").then().statusCode(200).extract().jsonPath();
    }
}
