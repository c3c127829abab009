package dev.pledge.feedback.service;

import static dev.pledge.feedback.service.KpiFigures.BUCKETS;
import static dev.pledge.feedback.service.KpiFigures.EXACT;
import static dev.pledge.feedback.service.KpiFigures.csat;
import static dev.pledge.feedback.service.KpiFigures.highestLevel;
import static dev.pledge.feedback.service.KpiFigures.nps;
import static dev.pledge.feedback.service.KpiFigures.round;
import static dev.pledge.feedback.service.KpiFigures.share;
import static dev.pledge.persistence.Sql.utc;

import dev.pledge.feedback.repository.KpiRollups;
import dev.pledge.feedback.service.KpiFigures.Group;
import dev.pledge.feedback.service.KpiFigures.Report;
import dev.pledge.feedback.service.KpiFigures.Score;
import dev.pledge.feedback.service.KpiFigures.Theme;
import dev.pledge.feedback.service.KpiFigures.Times;
import dev.pledge.policy.Policy;
import dev.pledge.policy.feed.PolicyFeed;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * KPIs over the facts, aggregated in SQL, for contacts received in {@code [from, to)}, by a grouping.
 * Percentages are 0..100 with the number they are of; a figure with nothing to count is null.
 * Response and resolution times are the SLA engine's elapsed times: business time in the rule's
 * calendar, pauses left out, as the policy counts them.
 */
@ApplicationScoped
public class Kpis {

    /**
     * Groupings, each a whitelisted SQL expression over {@code fb_contact c}: the rollups' dimensions,
     * and periods of the day of receipt.
     */
    public static final Map<String, String> GROUPINGS = groupings();

    private static Map<String, String> groupings() {
        Map<String, String> g = new LinkedHashMap<>(KpiRollups.DIMENSIONS);
        g.put("day", "to_char(c.received_at AT TIME ZONE 'UTC', 'YYYY-MM-DD')");
        g.put("week", "to_char(date_trunc('week', c.received_at AT TIME ZONE 'UTC'), 'IYYY-\"W\"IW')");
        g.put("month", "to_char(c.received_at AT TIME ZONE 'UTC', 'YYYY-MM')");
        return Map.copyOf(g);
    }

    private static final String SQL = """
            WITH c AS (
                SELECT c.*, %s AS g FROM fb_contact_outcome c WHERE c.received_at >= $1 AND c.received_at < $2
            ), base AS (
                SELECT g, count(*) AS contacts,
                    count(*) FILTER (WHERE resolved_once) AS resolved,
                    count(*) FILTER (WHERE first_contact) AS first_contact,
                    count(*) FILTER (WHERE reopened > 0) AS reopened
                FROM c GROUP BY g
            ), esc AS (
                SELECT c.g, count(*) AS escalated, max(e.rank) AS top_rank
                FROM c JOIN fb_escalation e ON e.contact_id = c.contact_id GROUP BY c.g
            ), sla AS (
                SELECT c.g,
                    percentile_cont(0.5) WITHIN GROUP (ORDER BY s.elapsed_ms) FILTER (WHERE s.metric = 'first-response' AND NOT s.cancelled) AS fr_p50,
                    percentile_cont(0.9) WITHIN GROUP (ORDER BY s.elapsed_ms) FILTER (WHERE s.metric = 'first-response' AND NOT s.cancelled) AS fr_p90,
                    count(s.elapsed_ms) FILTER (WHERE s.metric = 'first-response' AND NOT s.cancelled) AS fr_n,
                    percentile_cont(0.5) WITHIN GROUP (ORDER BY s.elapsed_ms) FILTER (WHERE s.metric = 'resolution' AND NOT s.cancelled) AS res_p50,
                    percentile_cont(0.9) WITHIN GROUP (ORDER BY s.elapsed_ms) FILTER (WHERE s.metric = 'resolution' AND NOT s.cancelled) AS res_p90,
                    count(s.elapsed_ms) FILTER (WHERE s.metric = 'resolution' AND NOT s.cancelled) AS res_n,
                    count(*) FILTER (WHERE s.metric <> 'promise' AND s.outcome IS NOT NULL) AS targets,
                    count(*) FILTER (WHERE s.metric <> 'promise' AND s.outcome = 'met') AS met,
                    count(*) FILTER (WHERE s.metric = 'promise' AND s.outcome IS NOT NULL) AS promises,
                    count(*) FILTER (WHERE s.metric = 'promise' AND s.outcome = 'met') AS kept
                FROM c JOIN fb_sla s ON s.contact_id = c.contact_id GROUP BY c.g
            ), fb AS (
                SELECT c.g,
                    count(*) FILTER (WHERE f.kind = 'csat') AS csat_n,
                    count(*) FILTER (WHERE f.kind = 'csat' AND f.score >= 4) AS csat_good,
                    count(*) FILTER (WHERE f.kind = 'nps') AS nps_n,
                    count(*) FILTER (WHERE f.kind = 'nps' AND f.score >= 9) AS promoters,
                    count(*) FILTER (WHERE f.kind = 'nps' AND f.score <= 6) AS detractors,
                    count(*) FILTER (WHERE f.kind = 'ces') AS ces_n,
                    avg(f.score) FILTER (WHERE f.kind = 'ces') AS ces_avg
                FROM c JOIN fb_survey f ON f.contact_id = c.contact_id WHERE f.state = 'answered' GROUP BY c.g
            )
            SELECT base.*, esc.escalated, esc.top_rank, sla.fr_p50, sla.fr_p90, sla.fr_n, sla.res_p50, sla.res_p90,
                sla.res_n, sla.targets, sla.met, sla.promises, sla.kept, fb.csat_n, fb.csat_good, fb.nps_n,
                fb.promoters, fb.detractors, fb.ces_n, fb.ces_avg
            FROM base LEFT JOIN esc ON esc.g = base.g LEFT JOIN sla ON sla.g = base.g LEFT JOIN fb ON fb.g = base.g
            ORDER BY base.g""";

    private static final String COMPLAINTS = """
            SELECT category, count(*) AS n FROM fb_contact
            WHERE received_at >= $1 AND received_at < $2 AND category = ANY($3) GROUP BY category ORDER BY n DESC, category""";

    private final Pool pool;
    private final PolicyFeed policies;

    public Kpis(Pool pool, PolicyFeed policies) {
        this.pool = pool;
        this.policies = policies;
    }

    /** {@code groupBy} must be a key of {@link #GROUPINGS}. */
    public Uni<Report> report(Instant from, Instant to, String groupBy) {
        String key = GROUPINGS.get(groupBy);
        if (key == null) {
            throw new IllegalArgumentException("unknown grouping " + groupBy);
        }
        Policy policy = policies.newestPolicy();
        String[] complaintCategories = policy == null || policy.complaints() == null ? new String[0]
                : policy.complaints().categories().toArray(new String[0]);
        Tuple period = Tuple.of(utc(from), utc(to));
        return split(from, to).chain(split -> {
            Uni<Grouped> groups = split == null
                    ? pool.preparedQuery(SQL.formatted(key)).execute(period).map(rows -> {
                        List<Group> exact = new ArrayList<>();
                        for (Row r : rows) {
                            exact.add(group(r, policy));
                        }
                        return new Grouped(EXACT, exact);
                    })
                    : rolledUp(split, groupBy, policy);
            // three independent reads, at once
            return Uni.combine().all().unis(groups, complaints(split, from, to, complaintCategories), themes(split, from, to))
                    .with((grouped, complaints, themes) -> new Report(from, to, groupBy, grouped.percentiles(),
                            grouped.groups(), complaints, themes,
                            policy == null || policy.feedback() == null ? null : policy.feedback().targets()));
        });
    }

    /** Comment themes, most frequent first: as complaints, whole current days from their rollup and the rest from the facts. */
    private Uni<List<Theme>> themes(Split split, Instant from, Instant to) {
        Map<String, double[]> sums = new java.util.TreeMap<>(); // comments, negative, scored, sentiment sum
        java.util.function.Consumer<Row> add = r -> {
            double[] t = sums.computeIfAbsent(r.getString("theme"), k -> new double[4]);
            t[0] += r.getLong("comments");
            t[1] += r.getLong("negative");
            t[2] += r.getLong("scored");
            t[3] += r.getDouble("sentiment_sum");
        };
        Uni<Void> chain = split == null ? Uni.createFrom().voidItem()
                : pool.preparedQuery("SELECT * FROM fb_kpi_theme WHERE day >= $1 AND day < $2 AND NOT (day = ANY($3))")
                        .execute(Tuple.of(split.firstFull(), split.endFull(), split.dirty()))
                        .invoke(rows -> rows.forEach(add)).replaceWithVoid();
        for (Instant[] range : split == null ? java.util.Collections.singletonList(new Instant[] {from, to}) : split.live()) {
            chain = chain.chain(() -> pool.preparedQuery(KpiRollups.THEMES).execute(Tuple.of(utc(range[0]), utc(range[1])))
                    .invoke(rows -> rows.forEach(add)).replaceWithVoid());
        }
        return chain.map(ignored -> sums.entrySet().stream()
                .sorted(java.util.Comparator.<Map.Entry<String, double[]>>comparingDouble(e -> -e.getValue()[0])
                        .thenComparing(Map.Entry::getKey))
                .map(e -> new Theme(e.getKey(), (long) e.getValue()[0], (long) e.getValue()[1],
                        e.getValue()[2] == 0 ? null : round(e.getValue()[3] / e.getValue()[2])))
                .toList());
    }

    /**
     * Complaints per category: whole current days from the rollups' category rows, the rest of the
     * period from the facts; the whole period from the facts when nothing is rolled up.
     */
    private Uni<Map<String, Long>> complaints(Split split, Instant from, Instant to, String[] categories) {
        Map<String, Long> counted = new java.util.HashMap<>();
        Uni<Void> chain;
        List<Instant[]> live;
        if (split == null) {
            chain = Uni.createFrom().voidItem();
            live = java.util.Collections.singletonList(new Instant[] {from, to});
        } else {
            chain = pool.preparedQuery("SELECT value AS category, sum(contacts) AS n FROM fb_kpi_day WHERE dim = 'category'"
                            + " AND day >= $1 AND day < $2 AND NOT (day = ANY($3)) AND value = ANY($4) GROUP BY value")
                    .execute(Tuple.of(split.firstFull(), split.endFull(), split.dirty(), categories))
                    .invoke(rows -> rows.forEach(r -> counted.merge(r.getString("category"), r.getLong("n"), Long::sum)))
                    .replaceWithVoid();
            live = split.live();
        }
        for (Instant[] range : live) {
            chain = chain.chain(() -> pool.preparedQuery(COMPLAINTS).execute(Tuple.of(utc(range[0]), utc(range[1]), categories))
                    .invoke(rows -> rows.forEach(r -> counted.merge(r.getString("category"), r.getLong("n"), Long::sum)))
                    .replaceWithVoid());
        }
        return chain.map(ignored -> {
            Map<String, Long> sorted = new LinkedHashMap<>();
            counted.entrySet().stream()
                    .sorted(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                    .forEach(e -> sorted.put(e.getKey(), e.getValue()));
            return sorted;
        });
    }

    private record Grouped(String percentiles, List<Group> groups) {
    }

    /**
     * How a period divides: its whole UTC days {@code [firstFull, endFull)} with current rollups, and
     * what is read from the facts ({@code live}: the partial first and last day, and whole days marked
     * dirty, as ranges of receipt times).
     */
    private record Split(LocalDate firstFull, LocalDate endFull, LocalDate[] dirty, List<Instant[]> live) {
    }

    /** The period's split, or null when it has no whole day with current rollups: then the facts answer. */
    private Uni<Split> split(Instant from, Instant to) {
        LocalDate firstFull = LocalDate.ofInstant(from.minusNanos(1), ZoneOffset.UTC).plusDays(1);
        LocalDate endFull = LocalDate.ofInstant(to, ZoneOffset.UTC);
        if (!firstFull.isBefore(endFull)) {
            return Uni.createFrom().nullItem();
        }
        return pool.preparedQuery("SELECT DISTINCT day FROM fb_dirty_day WHERE day >= $1 AND day < $2")
                .execute(Tuple.of(firstFull, endFull)).map(rows -> {
                    java.util.TreeSet<LocalDate> dirty = new java.util.TreeSet<>();
                    for (Row r : rows) {
                        dirty.add(r.getLocalDate("day"));
                    }
                    if (dirty.size() >= firstFull.until(endFull, java.time.temporal.ChronoUnit.DAYS)) {
                        return null;
                    }
                    List<Instant[]> live = new ArrayList<>();
                    if (from.isBefore(start(firstFull))) {
                        live.add(new Instant[] {from, start(firstFull)});
                    }
                    for (LocalDate d : dirty) {
                        if (!live.isEmpty() && live.get(live.size() - 1)[1].equals(start(d))) {
                            live.get(live.size() - 1)[1] = start(d.plusDays(1));
                        } else {
                            live.add(new Instant[] {start(d), start(d.plusDays(1))});
                        }
                    }
                    if (start(endFull).isBefore(to)) {
                        live.add(new Instant[] {start(endFull), to});
                    }
                    return new Split(firstFull, endFull, dirty.toArray(new LocalDate[0]), live);
                });
    }

    /**
     * The whole current days from the rollups, added to the rest of the period aggregated from the
     * facts the same way. The reads run at once, each on its own connection (the partial days, each in
     * its own transaction), and are added up when all are in: the database's cores share the work.
     */
    private Uni<Grouped> rolledUp(Split split, String groupBy, Policy policy) {
        String dim = KpiRollups.DIMENSIONS.containsKey(groupBy) ? groupBy : "none";
        String values = KpiRollups.dimensionValues(List.of(dim));
        Tuple rollupArgs = Tuple.of(dim, split.firstFull(), split.endFull(), split.dirty());
        List<Uni<List<Rows>>> reads = new ArrayList<>();
        reads.add(pool.preparedQuery("SELECT *, value AS g FROM fb_kpi_day WHERE dim = $1 AND day >= $2"
                        + " AND day < $3 AND NOT (day = ANY($4))").execute(rollupArgs)
                .map(rs -> List.of(new Rows(false, rs))));
        // added up in SQL unless the grouping is by period: a few hundred rows instead of one per day and bucket
        reads.add(pool.preparedQuery((dim.equals(groupBy)
                        ? "SELECT NULL::date AS day, value AS g, metric, bucket, sum(n)::bigint AS n FROM fb_kpi_hist"
                        : "SELECT day, value AS g, metric, bucket, n FROM fb_kpi_hist")
                        + " WHERE dim = $1 AND day >= $2 AND day < $3 AND NOT (day = ANY($4))"
                        + (dim.equals(groupBy) ? " GROUP BY value, metric, bucket" : "")).execute(rollupArgs)
                .map(rs -> List.of(new Rows(true, rs))));
        for (Instant[] range : split.live()) {
            // a day or so of contacts: index lookups, as the refresher does (KpiRollups)
            Tuple args = Tuple.of(utc(range[0]), utc(range[1]));
            reads.add(pool.withTransaction(conn -> KpiRollups.indexLookups(conn)
                    .chain(() -> conn.preparedQuery(KpiRollups.COUNTERS.formatted(values)).execute(args))
                    .chain(counters -> conn.preparedQuery(KpiRollups.HISTOGRAMS.formatted(values)).execute(args)
                            .map(hist -> List.of(new Rows(false, counters), new Rows(true, hist))))));
        }
        return Uni.combine().all().unis(reads).with(results -> {
            Map<String, KpiTotals.Acc> acc = new java.util.TreeMap<>();
            for (Object result : results) {
                for (Object o : (List<?>) result) {
                    Rows rows = (Rows) o;
                    rows.rows().forEach(r -> {
                        if (rows.histogram()) {
                            KpiTotals.histogram(acc, groupBy, r);
                        } else {
                            KpiTotals.counters(acc, groupBy, r);
                        }
                    });
                }
            }
            return new Grouped(BUCKETS, acc.entrySet().stream().map(e -> e.getValue().group(e.getKey(), policy)).toList());
        });
    }

    /** A read's rows: counters or histogram buckets. */
    private record Rows(boolean histogram, io.vertx.mutiny.sqlclient.RowSet<Row> rows) {
    }

    private static Instant start(LocalDate day) {
        return day.atStartOfDay(ZoneOffset.UTC).toInstant();
    }

    private static Group group(Row r, Policy policy) {
        long contacts = r.getLong("contacts");
        long resolved = r.getLong("resolved");
        long escalated = longOr0(r, "escalated");
        long cesN = longOr0(r, "ces_n");
        return new Group(r.getString("g"), contacts,
                new Times(millis(r, "fr_p50"), millis(r, "fr_p90"), longOr0(r, "fr_n")),
                new Times(millis(r, "res_p50"), millis(r, "res_p90"), longOr0(r, "res_n")),
                share(longOr0(r, "met"), longOr0(r, "targets")),
                share(longOr0(r, "kept"), longOr0(r, "promises")),
                share(r.getLong("first_contact"), resolved),
                share(r.getLong("reopened"), resolved),
                share(escalated, contacts), highestLevel(r.getInteger("top_rank"), policy),
                csat(longOr0(r, "csat_good"), longOr0(r, "csat_n")),
                nps(longOr0(r, "promoters"), longOr0(r, "detractors"), longOr0(r, "nps_n")),
                new Score(cesN == 0 ? null : round(r.getNumeric("ces_avg").doubleValue()), cesN));
    }

    private static long longOr0(Row r, String column) {
        Long v = r.getLong(column);
        return v == null ? 0 : v;
    }

    private static Duration millis(Row r, String column) {
        Double v = r.getDouble(column);
        return v == null ? null : Duration.ofMillis(Math.round(v));
    }

}
