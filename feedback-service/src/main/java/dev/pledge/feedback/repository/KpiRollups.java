package dev.pledge.feedback.repository;

import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.LocalDate;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * Daily KPI rollups, kept incrementally (V8__incremental_rollups.sql, decision 023). A contact's
 * <em>contribution</em> is what it adds to the rollups: one row of counters under its day and dimension
 * values ({@link #CONTRIBUTIONS}), its elapsed-time buckets and escalation rank ({@link #CONTRIBUTION_HISTOGRAM}),
 * its answered comment's theme. Each contact's is stored ({@code fb_kpi_contact}, {@code fb_kpi_contact_hist});
 * a trigger marks a contact dirty when one of its facts changes, and the refresher takes each dirty
 * contact's stored contribution out of the rollups and puts its new one in.
 * <p>
 * Every KPI over contacts is a sum of contributions: the rollups are sums over a day, and {@code Kpis}
 * adds the same sums over any range of receipt times ({@link #counters}, {@link #histograms}, {@link #themes}
 * over {@link #live} or {@link #stored} contributions), so one definition serves both.
 */
@ApplicationScoped
public class KpiRollups {
    private static final Logger LOG = Logger.getLogger(KpiRollups.class);
    /** Dirty contacts applied per transaction; a run goes on until none is left. */
    public static final int CONTACTS_PER_BATCH = 5_000;
    private static final long SLOW_RUN_MS = 5_000;
    /**
     * The advisory lock a refresher holds for its transaction (one instance at a time); whoever holds it keeps
     * every dirty contact dirty, as the tests and {@code bench/run kpis} do to read with contacts not yet applied.
     */
    public static final String REFRESHER_LOCK = "hashtext('fb_kpi_rollups')";

    /** Dimensions kept in rollups: SQL over {@code fb_contact c}. */
    public static final Map<String, String> DIMENSIONS = dimensions();

    private static Map<String, String> dimensions() {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("none", "'all'");
        d.put("channel", "c.channel");
        d.put("priority", "c.priority");
        d.put("team", "coalesce(c.team, '(none)')");
        d.put("category", "coalesce(c.category, '(none)')");
        d.put("tier", "coalesce(c.tier, '(none)')");
        return Map.copyOf(d);
    }

    /** The dimensions with a column of their own in a contribution (all but none). */
    private static final List<String> STORED_DIMENSIONS = List.of("channel", "priority", "team", "category", "tier");

    /** fb_kpi_day's counters, summed from contributions; fb_kpi_contact has the same columns. */
    public static final List<String> COUNTERS = List.of("contacts", "resolved", "first_contact", "reopened", "escalated",
            "targets", "met", "promises", "kept", "csat_n", "csat_good", "nps_n", "promoters", "detractors", "ces_n", "ces_sum");

    private static final List<String> THEME_COLUMNS = List.of("comments", "negative", "scored", "sentiment_sum");

    /**
     * One row per contact of {@code fb_contact_outcome c} passing the filter ({@code %1$s}, over {@code c}), in
     * fb_kpi_contact's column order: the definitions of docs/outcomes.md (the view, {@code fb_sla.outcome}), counted
     * for one contact.
     */
    public static final String CONTRIBUTIONS = """
            SELECT c.contact_id, (c.received_at AT TIME ZONE 'UTC')::date AS day, %2$s,
                1 AS contacts, c.resolved_once::int AS resolved, c.first_contact::int AS first_contact,
                (c.reopened > 0)::int AS reopened, (e.contact_id IS NOT NULL)::int AS escalated,
                coalesce(s.targets, 0)::int AS targets, coalesce(s.met, 0)::int AS met,
                coalesce(s.promises, 0)::int AS promises, coalesce(s.kept, 0)::int AS kept,
                coalesce((f.kind = 'csat')::int, 0) AS csat_n, coalesce((f.kind = 'csat' AND f.score >= 4)::int, 0) AS csat_good,
                coalesce((f.kind = 'nps')::int, 0) AS nps_n, coalesce((f.kind = 'nps' AND f.score >= 9)::int, 0) AS promoters,
                coalesce((f.kind = 'nps' AND f.score <= 6)::int, 0) AS detractors,
                coalesce((f.kind = 'ces')::int, 0) AS ces_n, CASE WHEN f.kind = 'ces' THEN coalesce(f.score, 0) ELSE 0 END AS ces_sum,
                CASE WHEN f.comment IS NOT NULL THEN coalesce(f.theme, '(none)') END AS theme,
                coalesce((f.comment IS NOT NULL)::int, 0) AS comments,
                coalesce((f.comment IS NOT NULL AND f.sentiment < 0)::int, 0) AS negative,
                coalesce((f.comment IS NOT NULL AND f.sentiment IS NOT NULL)::int, 0) AS scored,
                CASE WHEN f.comment IS NOT NULL THEN coalesce(f.sentiment, 0) ELSE 0 END AS sentiment_sum
            FROM fb_contact_outcome c
            LEFT JOIN fb_escalation e ON e.contact_id = c.contact_id
            LEFT JOIN fb_survey f ON f.contact_id = c.contact_id AND f.state = 'answered'
            LEFT JOIN LATERAL (
                SELECT count(*) FILTER (WHERE s.metric <> 'promise') AS targets,
                    count(*) FILTER (WHERE s.metric <> 'promise' AND s.outcome = 'met') AS met,
                    count(*) FILTER (WHERE s.metric = 'promise') AS promises,
                    count(*) FILTER (WHERE s.metric = 'promise' AND s.outcome = 'met') AS kept
                FROM fb_sla s WHERE s.contact_id = c.contact_id AND s.outcome IS NOT NULL
            ) s ON true
            WHERE %1$s""".formatted("%1$s", dimensionColumns());

    /**
     * The buckets of a contact's elapsed times ({@code fb_kpi_bucket}) and its escalation's rank (metric
     * {@code rank}, bucket = the rank), for contacts of {@code fb_contact c} passing the filter ({@code %1$s}), each
     * row with its contact's day and dimension values.
     */
    public static final String CONTRIBUTION_HISTOGRAM = """
            SELECT c.contact_id, (c.received_at AT TIME ZONE 'UTC')::date AS day, %2$s, s.metric,
                fb_kpi_bucket(s.elapsed_ms) AS bucket, count(*)::int AS n
            FROM fb_contact c JOIN fb_sla s ON s.contact_id = c.contact_id
            WHERE %1$s AND NOT s.cancelled AND s.elapsed_ms IS NOT NULL AND s.metric IN ('first-response', 'resolution')
            GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9
            UNION ALL
            SELECT c.contact_id, (c.received_at AT TIME ZONE 'UTC')::date, %2$s, 'rank', e.rank, 1
            FROM fb_contact c JOIN fb_escalation e ON e.contact_id = c.contact_id
            WHERE %1$s""".formatted("%1$s", dimensionColumns());

    private static String dimensionColumns() {
        return STORED_DIMENSIONS.stream().map(d -> DIMENSIONS.get(d) + " AS " + d).collect(Collectors.joining(", "));
    }

    /** Contributions as stored, of the contacts of {@code fb_kpi_contact k} passing the filter (over {@code k}). */
    public static String stored(String filter) {
        return "SELECT * FROM fb_kpi_contact k WHERE " + filter;
    }

    /** Stored histogram rows, each with its contact's day and dimension values. */
    public static String storedHistogram(String filter) {
        return "SELECT k.*, h.metric, h.bucket, h.n FROM fb_kpi_contact k JOIN fb_kpi_contact_hist h"
                + " ON h.contact_id = k.contact_id WHERE " + filter;
    }

    /** Contributions as the facts give them now, of the contacts of {@code c} passing the filter. */
    public static String live(String filter) {
        return CONTRIBUTIONS.formatted(filter);
    }

    /** Histogram rows as the facts give them now, each with its contact's day and dimension values. */
    public static String liveHistogram(String filter) {
        return CONTRIBUTION_HISTOGRAM.formatted(filter);
    }

    /** The lateral {@code VALUES} list giving each contribution row of {@code k} one row per dimension: {@code (dim, g)}. */
    private static String dimensionValues(Collection<String> dims) {
        return dims.stream().map(d -> "('" + d + "', " + (d.equals("none") ? "'all'" : "k." + d) + ")")
                .collect(Collectors.joining(", "));
    }

    /** Counters per (day, dim, g) of the contributions of {@code source}, for these dimensions: fb_kpi_day's columns. */
    public static String counters(String source, Collection<String> dims) {
        return "SELECT k.day, d.dim, d.g, " + COUNTERS.stream().map(c -> "sum(k." + c + ")::bigint AS " + c)
                .collect(Collectors.joining(", "))
                + " FROM (" + source + ") k CROSS JOIN LATERAL (VALUES " + dimensionValues(dims) + ") d(dim, g) GROUP BY 1, 2, 3";
    }

    /** Buckets per (day, dim, g, metric) of the histogram rows of {@code source}: fb_kpi_hist's columns. */
    public static String histograms(String source, Collection<String> dims) {
        return "SELECT k.day, d.dim, d.g, k.metric, k.bucket, sum(k.n)::bigint AS n FROM (" + source + ") k"
                + " CROSS JOIN LATERAL (VALUES " + dimensionValues(dims) + ") d(dim, g) GROUP BY 1, 2, 3, 4, 5";
    }

    /** Answered comments per (day, theme) of the contributions of {@code source}: fb_kpi_theme's columns. */
    public static String themes(String source) {
        return "SELECT k.day, k.theme, sum(k.comments)::bigint AS comments, sum(k.negative)::bigint AS negative,"
                + " sum(k.scored)::bigint AS scored, sum(k.sentiment_sum)::float8 AS sentiment_sum FROM (" + source + ") k"
                + " WHERE k.theme IS NOT NULL GROUP BY 1, 2";
    }

    private static final List<String> ALL = List.copyOf(DIMENSIONS.keySet());
    private static final String CONTACTS = "k.contact_id = ANY($1)";

    /** {@code $2}: +1 puts contributions in, -1 takes them out. Each statement answers the days it touched. */
    private static final List<String> APPLY = List.of(
            upsert("fb_kpi_day", "day, dim, value", "dim, day, value", COUNTERS, counters(stored(CONTACTS), ALL)),
            upsert("fb_kpi_hist", "day, dim, value, metric, bucket", "dim, day, value, metric, bucket", List.of("n"),
                    histograms(storedHistogram(CONTACTS), ALL)),
            upsert("fb_kpi_theme", "day, theme", "day, theme", THEME_COLUMNS, themes(stored(CONTACTS))));

    private static String upsert(String table, String keys, String conflict, List<String> sums, String select) {
        return "INSERT INTO " + table + " (" + keys + ", " + String.join(", ", sums) + ") SELECT "
                + keys.replace("value", "g") + ", " + sums.stream().map(c -> "$2::int * x." + c).collect(Collectors.joining(", "))
                + " FROM (" + select + ") x ON CONFLICT (" + conflict + ") DO UPDATE SET "
                + sums.stream().map(c -> c + " = " + table + "." + c + " + EXCLUDED." + c).collect(Collectors.joining(", "))
                + " RETURNING day";
    }

    private final Pool pool;

    public KpiRollups(Pool pool) {
        this.pool = pool;
    }

    @Scheduled(every = "${pledge.feedback.rollup-every:30s}", delayed = "5s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    Uni<Void> refresh() {
        long started = System.nanoTime();
        return applyDirty()
                .invoke(applied -> {
                    long ms = (System.nanoTime() - started) / 1_000_000;
                    if (ms >= SLOW_RUN_MS) { // a rebuild (the upgrade to V8) or a burst of changes: say how it goes
                        LOG.infof("KPI rollups: %,d changed contacts applied in %,d ms", applied, ms);
                    }
                })
                .onFailure().invoke(e -> LOG.warnf("KPI rollups not refreshed (requests correct for dirty contacts): %s",
                        e.getMessage()))
                .onFailure().recoverWithNull().replaceWithVoid();
    }

    /** Batches of dirty contacts until none is left (or another instance holds the rollups); how many were applied. */
    Uni<Long> applyDirty() {
        return applyBatch().chain(n -> n < CONTACTS_PER_BATCH ? Uni.createFrom().item((long) Math.max(n, 0))
                : applyDirty().map(more -> n + more));
    }

    /**
     * One batch in one transaction: its marks deleted first, so a fact committed meanwhile marks its contact
     * again; the stored contributions taken out, the new ones stored and put in, rows left at zero removed.
     * One instance at a time (a transaction-scoped advisory lock): two would take the same contribution
     * out twice. Answers how many contacts it applied, -1 when another instance holds the lock.
     */
    Uni<Integer> applyBatch() {
        return pool.withTransaction(conn -> conn.query("SELECT pg_try_advisory_xact_lock(" + REFRESHER_LOCK + ") AS mine")
                .execute().chain(lock -> {
                    if (!lock.iterator().next().getBoolean("mine")) {
                        return Uni.createFrom().item(-1);
                    }
                    return conn.preparedQuery("DELETE FROM fb_dirty_contact WHERE contact_id IN"
                                    + " (SELECT DISTINCT contact_id FROM fb_dirty_contact LIMIT $1) RETURNING contact_id")
                            .execute(Tuple.of(CONTACTS_PER_BATCH)).chain(marks -> {
                                Set<String> ids = new LinkedHashSet<>();
                                marks.forEach(r -> ids.add(r.getString("contact_id")));
                                if (ids.isEmpty()) {
                                    return Uni.createFrom().item(0);
                                }
                                return apply(conn, ids.toArray(new String[0])).replaceWith(ids.size());
                            });
                }));
    }

    private static Uni<Void> apply(SqlConnection conn, String[] ids) {
        Set<LocalDate> days = new java.util.HashSet<>();
        Tuple in = Tuple.of(ids, 1);
        Tuple out = Tuple.of(ids, -1);
        Tuple only = Tuple.of((Object) ids);
        Uni<Void> chain = indexLookups(conn);
        for (String statement : APPLY) {
            chain = chain.chain(() -> conn.preparedQuery(statement).execute(out).invoke(rows -> addDays(days, rows)))
                    .replaceWithVoid();
        }
        chain = chain
                .chain(() -> conn.preparedQuery("DELETE FROM fb_kpi_contact_hist WHERE contact_id = ANY($1)").execute(only))
                .chain(() -> conn.preparedQuery("DELETE FROM fb_kpi_contact WHERE contact_id = ANY($1)").execute(only))
                .chain(() -> conn.preparedQuery("INSERT INTO fb_kpi_contact " + live("c.contact_id = ANY($1)")).execute(only))
                .chain(() -> conn.preparedQuery("INSERT INTO fb_kpi_contact_hist SELECT h.contact_id, h.metric, h.bucket, h.n FROM ("
                        + liveHistogram("c.contact_id = ANY($1)") + ") h").execute(only))
                .replaceWithVoid();
        for (String statement : APPLY) {
            chain = chain.chain(() -> conn.preparedQuery(statement).execute(in).invoke(rows -> addDays(days, rows)))
                    .replaceWithVoid();
        }
        return chain.chain(() -> {
            Tuple touched = Tuple.of((Object) days.toArray(new LocalDate[0]));
            return conn.preparedQuery("DELETE FROM fb_kpi_day WHERE day = ANY($1) AND contacts = 0").execute(touched)
                    .chain(() -> conn.preparedQuery("DELETE FROM fb_kpi_hist WHERE day = ANY($1) AND n = 0").execute(touched))
                    .chain(() -> conn.preparedQuery("DELETE FROM fb_kpi_theme WHERE day = ANY($1) AND comments = 0").execute(touched))
                    .replaceWithVoid();
        });
    }

    private static void addDays(Set<LocalDate> days, Iterable<Row> rows) {
        rows.forEach(r -> days.add(r.getLocalDate("day")));
    }

    /**
     * For the rest of the caller's transaction: contributions are read contact by contact, and index lookups
     * into the other fact tables beat the hash joins over whole tables the planner picks (measured on
     * 1 M contacts: 1.2 s a statement with them, for a day's contacts).
     */
    public static Uni<Void> indexLookups(SqlConnection conn) {
        return conn.query("SET LOCAL enable_hashjoin = off").execute()
                .chain(() -> conn.query("SET LOCAL enable_mergejoin = off").execute()).replaceWithVoid();
    }
}
