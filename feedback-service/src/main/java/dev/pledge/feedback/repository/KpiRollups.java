package dev.pledge.feedback.repository;

import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * Daily KPI rollups (V2__kpi_rollups.sql, V3): the counters and elapsed-time histograms of each UTC day
 * of receipt, per value of each dimension, and the comment themes of each day, recomputed from the
 * facts for the days a trigger marked dirty.
 * The same statements, over any range of receipt times, serve {@code Kpis} for the days that are dirty
 * or only partly in a requested period.
 */
@ApplicationScoped
public class KpiRollups {
    private static final Logger LOG = Logger.getLogger(KpiRollups.class);
    /** Days recomputed per run at most; the rest wait for the next run (requests read them live meanwhile). */
    public static final int DAYS_PER_RUN = 20;

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

    /** The lateral {@code VALUES} list that gives each contact row one row per dimension: {@code (dim, g)}. */
    public static String dimensionValues(java.util.Collection<String> dims) {
        return String.join(", ", dims.stream().map(d -> "('" + d + "', " + DIMENSIONS.get(d) + ")").toList());
    }

    /**
     * Counters per (day, dim, g) of contacts received in [$1, $2), in fb_kpi_day's column order, for the
     * dimensions of the {@code VALUES} list formatted in ({@link #dimensionValues}): each fact table is
     * joined once and its rows counted under every dimension.
     */
    public static final String COUNTERS = """
            WITH c AS MATERIALIZED (
                SELECT c.contact_id, c.channel, c.priority, c.team, c.category, c.tier,
                    (c.received_at AT TIME ZONE 'UTC')::date AS day, c.resolved_once AS resolved, c.first_contact,
                    c.reopened > 0 AS reopened
                FROM fb_contact_outcome c WHERE c.received_at >= $1 AND c.received_at < $2
            ), base AS (
                SELECT c.day, d.dim, d.g, count(*) AS contacts, count(*) FILTER (WHERE c.resolved) AS resolved,
                    count(*) FILTER (WHERE c.first_contact) AS first_contact, count(*) FILTER (WHERE c.reopened) AS reopened
                FROM c CROSS JOIN LATERAL (VALUES %1$s) d(dim, g) GROUP BY 1, 2, 3
            ), esc AS (
                SELECT c.day, d.dim, d.g, count(*) AS escalated, max(e.rank) AS top_rank
                FROM c JOIN fb_escalation e ON e.contact_id = c.contact_id CROSS JOIN LATERAL (VALUES %1$s) d(dim, g)
                GROUP BY 1, 2, 3
            ), sla AS (
                SELECT c.day, d.dim, d.g,
                    count(*) FILTER (WHERE s.metric <> 'promise' AND s.outcome IS NOT NULL) AS targets,
                    count(*) FILTER (WHERE s.metric <> 'promise' AND s.outcome = 'met') AS met,
                    count(*) FILTER (WHERE s.metric = 'promise' AND s.outcome IS NOT NULL) AS promises,
                    count(*) FILTER (WHERE s.metric = 'promise' AND s.outcome = 'met') AS kept
                FROM c JOIN fb_sla s ON s.contact_id = c.contact_id CROSS JOIN LATERAL (VALUES %1$s) d(dim, g)
                WHERE s.outcome IS NOT NULL GROUP BY 1, 2, 3
            ), fb AS (
                SELECT c.day, d.dim, d.g,
                    count(*) FILTER (WHERE f.kind = 'csat') AS csat_n,
                    count(*) FILTER (WHERE f.kind = 'csat' AND f.score >= 4) AS csat_good,
                    count(*) FILTER (WHERE f.kind = 'nps') AS nps_n,
                    count(*) FILTER (WHERE f.kind = 'nps' AND f.score >= 9) AS promoters,
                    count(*) FILTER (WHERE f.kind = 'nps' AND f.score <= 6) AS detractors,
                    count(*) FILTER (WHERE f.kind = 'ces') AS ces_n,
                    coalesce(sum(f.score) FILTER (WHERE f.kind = 'ces'), 0) AS ces_sum
                FROM c JOIN fb_survey f ON f.contact_id = c.contact_id CROSS JOIN LATERAL (VALUES %1$s) d(dim, g)
                WHERE f.state = 'answered' GROUP BY 1, 2, 3
            )
            SELECT base.day, base.dim, base.g, base.contacts, base.resolved, base.first_contact, base.reopened,
                coalesce(esc.escalated, 0) AS escalated, esc.top_rank,
                coalesce(sla.targets, 0) AS targets, coalesce(sla.met, 0) AS met,
                coalesce(sla.promises, 0) AS promises, coalesce(sla.kept, 0) AS kept,
                coalesce(fb.csat_n, 0) AS csat_n, coalesce(fb.csat_good, 0) AS csat_good, coalesce(fb.nps_n, 0) AS nps_n,
                coalesce(fb.promoters, 0) AS promoters, coalesce(fb.detractors, 0) AS detractors,
                coalesce(fb.ces_n, 0) AS ces_n, coalesce(fb.ces_sum, 0) AS ces_sum
            FROM base
            LEFT JOIN esc ON esc.day = base.day AND esc.dim = base.dim AND esc.g = base.g
            LEFT JOIN sla ON sla.day = base.day AND sla.dim = base.dim AND sla.g = base.g
            LEFT JOIN fb ON fb.day = base.day AND fb.dim = base.dim AND fb.g = base.g""";

    /** Elapsed-time histograms per (day, dim, g, metric) of contacts received in [$1, $2); dimensions as in {@link #COUNTERS}. */
    public static final String HISTOGRAMS = """
            SELECT (c.received_at AT TIME ZONE 'UTC')::date AS day, d.dim, d.g, s.metric,
                fb_kpi_bucket(s.elapsed_ms) AS bucket, count(*) AS n
            FROM fb_contact c JOIN fb_sla s ON s.contact_id = c.contact_id CROSS JOIN LATERAL (VALUES %1$s) d(dim, g)
            WHERE c.received_at >= $1 AND c.received_at < $2 AND NOT s.cancelled AND s.elapsed_ms IS NOT NULL
                AND s.metric IN ('first-response', 'resolution')
            GROUP BY 1, 2, 3, 4, 5""";

    /**
     * Answered comments per (day, theme) of contacts received in [$1, $2), in fb_kpi_theme's column order;
     * {@code scored}: comments with a sentiment, what {@code sentiment_sum} is over.
     */
    public static final String THEMES = """
            SELECT (c.received_at AT TIME ZONE 'UTC')::date AS day, coalesce(f.theme, '(none)') AS theme,
                count(*) AS comments, count(*) FILTER (WHERE f.sentiment < 0) AS negative,
                count(f.sentiment) AS scored, coalesce(sum(f.sentiment), 0) AS sentiment_sum
            FROM fb_contact c JOIN fb_survey f ON f.contact_id = c.contact_id
            WHERE c.received_at >= $1 AND c.received_at < $2 AND f.state = 'answered' AND f.comment IS NOT NULL
            GROUP BY 1, 2""";

    private static final String ALL_DIMENSIONS = dimensionValues(DIMENSIONS.keySet());

    private final Pool pool;

    public KpiRollups(Pool pool) {
        this.pool = pool;
    }

    @Scheduled(every = "${pledge.feedback.rollup-every:30s}", delayed = "5s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    Uni<Void> refresh() {
        return pool.query("SELECT DISTINCT day FROM fb_dirty_day ORDER BY day DESC LIMIT " + DAYS_PER_RUN).execute()
                .map(rows -> {
                    List<LocalDate> days = new ArrayList<>();
                    for (Row r : rows) {
                        days.add(r.getLocalDate("day"));
                    }
                    return days;
                })
                .onItem().transformToMulti(days -> Multi.createFrom().iterable(days))
                .onItem().transformToUniAndConcatenate(this::recompute)
                .collect().last().replaceWithVoid()
                .onFailure().invoke(e -> LOG.warnf("KPI rollups not refreshed (requests read the facts meanwhile): %s",
                        e.getMessage()))
                .onFailure().recoverWithNull().replaceWithVoid();
    }

    /**
     * For the rest of the caller's transaction: a day's contacts are some thousands, and index lookups
     * into the other fact tables beat the hash joins over whole tables the planner picks (measured on
     * 1 M contacts: 1.2 s a statement with them).
     */
    public static Uni<Void> indexLookups(io.vertx.mutiny.sqlclient.SqlConnection conn) {
        return conn.query("SET LOCAL enable_hashjoin = off").execute()
                .chain(() -> conn.query("SET LOCAL enable_mergejoin = off").execute()).replaceWithVoid();
    }

    /** One day, in one transaction: unmarked first, so a fact committed meanwhile marks it again. */
    Uni<Void> recompute(LocalDate day) {
        Tuple range = Tuple.of(day.atStartOfDay().atOffset(ZoneOffset.UTC), day.plusDays(1).atStartOfDay().atOffset(ZoneOffset.UTC));
        return pool.withTransaction(conn -> {
            Uni<Void> chain = indexLookups(conn)
                    .chain(() -> conn.preparedQuery("DELETE FROM fb_dirty_day WHERE day = $1").execute(Tuple.of(day)))
                    .chain(() -> conn.preparedQuery("DELETE FROM fb_kpi_day WHERE day = $1").execute(Tuple.of(day)))
                    .chain(() -> conn.preparedQuery("DELETE FROM fb_kpi_hist WHERE day = $1").execute(Tuple.of(day)))
                    .chain(() -> conn.preparedQuery("DELETE FROM fb_kpi_theme WHERE day = $1").execute(Tuple.of(day)))
                    .replaceWithVoid();
            return chain
                    .chain(() -> conn.preparedQuery("INSERT INTO fb_kpi_day SELECT x.day, x.dim, x.g, x.contacts, x.resolved,"
                            + " x.first_contact, x.reopened, x.escalated, x.top_rank, x.targets, x.met, x.promises, x.kept,"
                            + " x.csat_n, x.csat_good, x.nps_n, x.promoters, x.detractors, x.ces_n, x.ces_sum FROM ("
                            + COUNTERS.formatted(ALL_DIMENSIONS) + ") x").execute(range))
                    .chain(() -> conn.preparedQuery("INSERT INTO fb_kpi_hist SELECT x.day, x.dim, x.g, x.metric, x.bucket, x.n"
                            + " FROM (" + HISTOGRAMS.formatted(ALL_DIMENSIONS) + ") x").execute(range))
                    .chain(() -> conn.preparedQuery("INSERT INTO fb_kpi_theme SELECT x.day, x.theme, x.comments, x.negative,"
                            + " x.scored, x.sentiment_sum FROM (" + THEMES + ") x").execute(range))
                    .replaceWithVoid();
        });
    }
}
