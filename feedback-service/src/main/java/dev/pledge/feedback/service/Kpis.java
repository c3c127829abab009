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
import java.util.stream.Collectors;

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
        List<String> categories = policy == null || policy.complaints() == null ? List.of()
                : List.copyOf(policy.complaints().categories());
        Policy.Targets targets = policy == null || policy.feedback() == null ? null : policy.feedback().targets();
        return plan(from, to).chain(plan -> plan == null
                ? exact(from, to, groupBy, key, policy, categories)
                        .map(t -> new Report(from, to, groupBy, EXACT, t.groups(), t.complaints(), t.themes(), targets))
                : summed(plan, groupBy, categories).map(t -> new Report(from, to, groupBy, BUCKETS,
                        t.groups(policy), t.complaints(categories), t.themes(), targets)));
    }

    /** What an exact read answers: groups, complaints per category, comment themes. */
    private record Exact(List<Group> groups, Map<String, Long> complaints, List<Theme> themes) {
    }

    /** The whole period from the facts, percentiles exact: three reads at once. */
    private Uni<Exact> exact(Instant from, Instant to, String groupBy, String key, Policy policy, List<String> categories) {
        Tuple period = Tuple.of(utc(from), utc(to));
        Uni<List<Group>> groups = pool.preparedQuery(SQL.formatted(key)).execute(period).map(rows -> {
            List<Group> exact = new ArrayList<>();
            for (Row r : rows) {
                exact.add(group(r, policy));
            }
            return exact;
        });
        Uni<Map<String, Long>> complaints = pool.preparedQuery(COMPLAINTS)
                .execute(Tuple.of(utc(from), utc(to), categories.toArray(new String[0]))).map(rows -> {
                    Map<String, Long> counted = new LinkedHashMap<>();
                    rows.forEach(r -> counted.put(r.getString("category"), r.getLong("n")));
                    return counted;
                });
        Uni<List<Theme>> themes = pool.preparedQuery(KpiRollups.themes(KpiRollups.live(RANGE))).execute(period).map(rows -> {
            Sums sums = new Sums(groupBy);
            rows.forEach(r -> sums.theme(r, 1));
            return sums.themes();
        });
        return Uni.combine().all().unis(groups, complaints, themes).with(Exact::new);
    }

    /** Contacts received in [$1, $2), for contributions read from the facts. */
    private static final String RANGE = "c.received_at >= $1 AND c.received_at < $2";
    /** Contacts still dirty: their stored contribution is in the rollups, and perhaps no longer right. */
    private static final String DIRTY = "contact_id = ANY(ARRAY(SELECT contact_id FROM fb_dirty_contact))";
    /** A period of up to this many contacts and no whole day is read from the facts, percentiles exact. */
    static final int EXACT_UP_TO = 10_000;

    /**
     * How a period is read: the rollups of the days [{@code firstRolled}, {@code endRolled}), corrected for their
     * dirty contacts, with contributions read from the facts over ranges of receipt times added ({@code add}: a
     * partial day's part in the period) or taken out ({@code subtract}: a mostly included day's part outside it).
     */
    record Plan(LocalDate firstRolled, LocalDate endRolled, List<Instant[]> add, List<Instant[]> subtract) {
    }

    /**
     * The period's plan, or null when the facts answer it whole: no whole day in it and at most
     * {@link #EXACT_UP_TO} contacts. A partial day is rolled up (its rollup, less the contacts outside the
     * period) when more of its contacts are in the period than out, so at most half a day is read from the
     * facts at each end: today's part in a period that ends now is its rollup, less nothing.
     */
    private Uni<Plan> plan(Instant from, Instant to) {
        LocalDate first = LocalDate.ofInstant(from, ZoneOffset.UTC);
        LocalDate last = LocalDate.ofInstant(to.minusNanos(1), ZoneOffset.UTC);
        boolean partialFirst = from.isAfter(start(first));
        boolean partialLast = to.isBefore(start(last.plusDays(1)));
        LocalDate wholeFrom = partialFirst ? first.plusDays(1) : first;
        LocalDate wholeEnd = partialLast ? last : last.plusDays(1);
        List<LocalDate> partial = new ArrayList<>();
        if (partialFirst) {
            partial.add(first);
        }
        if (partialLast && !(partialFirst && first.equals(last))) {
            partial.add(last);
        }
        Uni<List<long[]>> counts = Uni.createFrom().item(new ArrayList<>());
        for (LocalDate d : partial) {
            counts = counts.chain(list -> pool.preparedQuery("SELECT count(*) AS n, count(*) FILTER (WHERE received_at >= $3"
                            + " AND received_at < $4) AS inside FROM fb_contact WHERE received_at >= $1 AND received_at < $2")
                    .execute(Tuple.of(utc(start(d)), utc(start(d.plusDays(1))), utc(max(from, start(d))),
                            utc(min(to, start(d.plusDays(1))))))
                    .map(rows -> {
                        Row r = rows.iterator().next();
                        list.add(new long[] {r.getLong("n"), r.getLong("inside")});
                        return list;
                    }));
        }
        return counts.map(list -> {
            boolean wholeDays = wholeFrom.isBefore(wholeEnd);
            if (!wholeDays && list.stream().mapToLong(c -> c[1]).sum() <= EXACT_UP_TO) {
                return null;
            }
            LocalDate firstRolled = wholeDays ? wholeFrom : null;
            LocalDate endRolled = wholeDays ? wholeEnd : null;
            List<Instant[]> add = new ArrayList<>();
            List<Instant[]> subtract = new ArrayList<>();
            for (int i = 0; i < partial.size(); i++) {
                LocalDate d = partial.get(i);
                Instant in = max(from, start(d));
                Instant out = min(to, start(d.plusDays(1)));
                if (2 * list.get(i)[1] > list.get(i)[0]) {
                    firstRolled = firstRolled == null || d.isBefore(firstRolled) ? d : firstRolled;
                    endRolled = endRolled == null || !d.isBefore(endRolled) ? d.plusDays(1) : endRolled;
                    if (start(d).isBefore(in)) {
                        subtract.add(new Instant[] {start(d), in});
                    }
                    if (out.isBefore(start(d.plusDays(1)))) {
                        subtract.add(new Instant[] {out, start(d.plusDays(1))});
                    }
                } else {
                    add.add(new Instant[] {in, out});
                }
            }
            return firstRolled == null ? new Plan(first, first, add, subtract) : new Plan(firstRolled, endRolled, add, subtract);
        });
    }

    /**
     * The plan's sums, all read in one snapshot (a repeatable-read transaction: the refresher commits a batch's
     * rollups and marks at once, so each dirty contact is corrected exactly once): the rolled-up days, their
     * dirty contacts' stored contributions out and live ones in, and the ranges from the facts. Rows come per
     * dimension: the grouping's, and category for the complaints (counters only).
     */
    private Uni<Sums> summed(Plan plan, String groupBy, List<String> categories) {
        String dim = KpiRollups.DIMENSIONS.containsKey(groupBy) ? groupBy : "none";
        List<String> dims = categories.isEmpty() || dim.equals("category") ? List.of(dim) : List.of(dim, "category");
        boolean byPeriod = !dim.equals(groupBy);
        Sums sums = new Sums(groupBy);
        return pool.withTransaction(conn -> {
            Uni<Void> chain = conn.query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY").execute()
                    .chain(() -> KpiRollups.indexLookups(conn));
            if (plan.firstRolled().isBefore(plan.endRolled())) {
                Tuple days = Tuple.of(dims.toArray(new String[0]), plan.firstRolled(), plan.endRolled());
                Tuple dayRange = Tuple.of(plan.firstRolled(), plan.endRolled());
                String day = byPeriod ? "day" : "NULL::date AS day";
                String groupedBy = byPeriod ? "" : " GROUP BY dim, value";
                chain = read(chain, conn, "SELECT " + day + ", dim, value AS g, " + KpiRollups.COUNTERS.stream()
                        .map(c -> byPeriod ? c : "sum(" + c + ")::bigint AS " + c).collect(Collectors.joining(", "))
                        + " FROM fb_kpi_day WHERE dim = ANY($1) AND day >= $2 AND day < $3" + groupedBy, days, sums::counters, 1);
                chain = read(chain, conn, "SELECT " + day + ", dim, value AS g, metric, bucket, "
                        + (byPeriod ? "n" : "sum(n)::bigint AS n") + " FROM fb_kpi_hist WHERE dim = $1 AND day >= $2"
                        + " AND day < $3" + groupedBy + (byPeriod ? "" : ", metric, bucket"),
                        Tuple.of(dim, plan.firstRolled(), plan.endRolled()), sums::histogram, 1);
                chain = read(chain, conn, "SELECT theme, sum(comments)::bigint AS comments, sum(negative)::bigint AS negative,"
                        + " sum(scored)::bigint AS scored, sum(sentiment_sum)::float8 AS sentiment_sum FROM fb_kpi_theme"
                        + " WHERE day >= $1 AND day < $2 GROUP BY theme", dayRange, sums::theme, 1);
                String stored = "k.day >= $1 AND k.day < $2 AND k." + DIRTY;
                chain = read(chain, conn, KpiRollups.counters(KpiRollups.stored(stored), dims), dayRange, sums::counters, -1);
                chain = read(chain, conn, KpiRollups.histograms(KpiRollups.storedHistogram(stored), List.of(dim)), dayRange,
                        sums::histogram, -1);
                chain = read(chain, conn, KpiRollups.themes(KpiRollups.stored(stored)), dayRange, sums::theme, -1);
                chain = contributions(chain, conn, RANGE + " AND c." + DIRTY, start(plan.firstRolled()), start(plan.endRolled()),
                        dims, sums, 1);
            }
            for (Instant[] range : plan.subtract()) {
                chain = contributions(chain, conn, RANGE, range[0], range[1], dims, sums, -1);
            }
            for (Instant[] range : plan.add()) {
                chain = contributions(chain, conn, RANGE, range[0], range[1], dims, sums, 1);
            }
            return chain.replaceWith(sums);
        });
    }

    /** The contributions of the contacts received in [from, to) passing the filter, added with this sign. */
    private static Uni<Void> contributions(Uni<Void> chain, io.vertx.mutiny.sqlclient.SqlConnection conn, String filter,
            Instant from, Instant to, List<String> dims, Sums sums, int sign) {
        Tuple range = Tuple.of(utc(from), utc(to));
        chain = read(chain, conn, KpiRollups.counters(KpiRollups.live(filter), dims), range, sums::counters, sign);
        // times and ranks for the grouping's dimension only: the complaints need counts
        chain = read(chain, conn, KpiRollups.histograms(KpiRollups.liveHistogram(filter), dims.subList(0, 1)), range,
                sums::histogram, sign);
        return read(chain, conn, KpiRollups.themes(KpiRollups.live(filter)), range, sums::theme, sign);
    }

    private static Uni<Void> read(Uni<Void> chain, io.vertx.mutiny.sqlclient.SqlConnection conn, String sql, Tuple args,
            java.util.function.ObjIntConsumer<Row> into, int sign) {
        return chain.chain(() -> conn.preparedQuery(sql).execute(args).invoke(rows -> rows.forEach(r -> into.accept(r, sign))))
                .replaceWithVoid();
    }

    /** Signed sums per dimension and group, and per comment theme. */
    private static final class Sums {
        private final String groupBy;
        private final Map<String, Map<String, KpiTotals.Acc>> byDim = new java.util.HashMap<>();
        private final Map<String, double[]> themes = new java.util.TreeMap<>(); // comments, negative, scored, sentiment sum

        Sums(String groupBy) {
            this.groupBy = groupBy;
        }

        private Map<String, KpiTotals.Acc> of(Row r) {
            return byDim.computeIfAbsent(r.getString("dim"), d -> new java.util.TreeMap<>());
        }

        private String grouping(Row r) {
            return r.getString("dim").equals("none") ? groupBy : r.getString("dim");
        }

        void counters(Row r, int sign) {
            KpiTotals.counters(of(r), grouping(r), r, sign);
        }

        void histogram(Row r, int sign) {
            KpiTotals.histogram(of(r), grouping(r), r, sign);
        }

        void theme(Row r, int sign) {
            double[] t = themes.computeIfAbsent(r.getString("theme"), k -> new double[4]);
            t[0] += sign * r.getLong("comments");
            t[1] += sign * r.getLong("negative");
            t[2] += sign * r.getLong("scored");
            t[3] += sign * r.getDouble("sentiment_sum");
        }

        /** The grouping's groups with a contact (a group's contacts may all have been taken out). */
        List<Group> groups(Policy policy) {
            String dim = KpiRollups.DIMENSIONS.containsKey(groupBy) ? groupBy : "none";
            return byDim.getOrDefault(dim, Map.of()).entrySet().stream().filter(e -> e.getValue().get("contacts") > 0)
                    .map(e -> e.getValue().group(e.getKey(), policy)).toList();
        }

        /** Contacts per complaint category, most first. */
        Map<String, Long> complaints(List<String> categories) {
            Map<String, KpiTotals.Acc> byCategory = byDim.getOrDefault("category", Map.of());
            Map<String, Long> sorted = new LinkedHashMap<>();
            categories.stream().filter(byCategory::containsKey)
                    .map(c -> Map.entry(c, byCategory.get(c).get("contacts"))).filter(e -> e.getValue() > 0)
                    .sorted(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                    .forEach(e -> sorted.put(e.getKey(), e.getValue()));
            return sorted;
        }

        /** Comment themes, most frequent first. */
        List<Theme> themes() {
            return themes.entrySet().stream().filter(e -> e.getValue()[0] > 0)
                    .sorted(java.util.Comparator.<Map.Entry<String, double[]>>comparingDouble(e -> -e.getValue()[0])
                            .thenComparing(Map.Entry::getKey))
                    .map(e -> new Theme(e.getKey(), (long) e.getValue()[0], (long) e.getValue()[1],
                            e.getValue()[2] == 0 ? null : round(e.getValue()[3] / e.getValue()[2])))
                    .toList();
        }
    }

    private static Instant max(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }

    private static Instant min(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
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
