package dev.pledge.feedback.service;

import static dev.pledge.persistence.Sql.utc;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** What the dashboard shows, in one read: the same figures {@code GET /kpis} and {@code GET /insights} answer. */
@ApplicationScoped
public class Dashboard {
    /** SLA compliance by channel is drawn for this many days. */
    static final int DAYS = 14;
    /** CSAT and NPS are drawn for this many weeks. */
    static final int WEEKS = 12;
    public static final Duration HEADLINE_PERIOD = Duration.ofDays(30);
    /** Figures this young are shown as they are. */
    static final Duration FRESH_FOR = Duration.ofSeconds(10);

    public record AtRisk(String metric, long warned, long breached) {
    }

    public record Crisis(String crisisId, String category, int count, double baseline, Instant declaredAt) {
    }

    public record Data(Instant at, Instant headlineFrom, KpiFigures.Group headline, dev.pledge.policy.Policy.Targets targets,
            List<String> days, Map<String, List<Double>> slaByChannel, List<AtRisk> atRisk, List<String> weeks,
            List<Double> csat, List<Double> nps, Map<String, Long> complaints, Map<String, Long> openEscalations,
            List<Crisis> crises, List<String> insights) {
    }

    private static final String SLA_BY_DAY = """
            SELECT c.channel, to_char(c.received_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day,
                count(*) AS n, count(*) FILTER (WHERE s.outcome = 'met') AS met
            FROM fb_sla s JOIN fb_contact c ON c.contact_id = s.contact_id
            WHERE c.received_at >= $1 AND s.outcome IS NOT NULL AND s.metric <> 'promise'
            GROUP BY 1, 2""";
    private static final String AT_RISK = """
            SELECT metric, count(*) FILTER (WHERE warned AND breached_at IS NULL) AS warned,
                count(*) FILTER (WHERE breached_at IS NOT NULL) AS breached
            FROM fb_sla WHERE ended_at IS NULL AND NOT cancelled AND (warned OR breached_at IS NOT NULL)
            GROUP BY metric ORDER BY metric""";
    private static final String ESCALATIONS = """
            SELECT coalesce(now_at, '(none)') AS at, count(*) AS n FROM fb_escalation WHERE open GROUP BY 1 ORDER BY 2 DESC""";
    private static final String CRISES = """
            SELECT crisis_id, category, count, baseline, declared_at FROM fb_crisis WHERE cleared_at IS NULL
            ORDER BY declared_at DESC LIMIT 20""";

    private final Pool pool;
    private final Kpis kpis;
    private final Insights insights;

    private final Uni<Data> cached;

    public Dashboard(Pool pool, Kpis kpis, Insights insights) {
        this.pool = pool;
        this.kpis = kpis;
        this.insights = insights;
        this.cached = Uni.createFrom().deferred(this::readNow).memoize().atLeast(FRESH_FOR);
    }

    /**
     * The page's figures, read at most once per {@link #FRESH_FOR} however many browsers poll: over a
     * large history each read is seconds of database work (bench/README.md, {@code bench/run kpis}).
     */
    public Uni<Data> read() {
        return cached;
    }

    private Uni<Data> readNow() {
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        Instant headlineFrom = now.minus(HEADLINE_PERIOD);
        LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
        List<String> days = new ArrayList<>();
        for (int i = DAYS - 1; i >= 0; i--) {
            days.add(today.minusDays(i).toString());
        }
        Instant daysFrom = today.minusDays(DAYS - 1).atStartOfDay(ZoneOffset.UTC).toInstant();
        return Uni.combine().all()
                .unis(kpis.report(headlineFrom, now, "none"),
                        kpis.report(now.minus(Duration.ofDays(7L * WEEKS)), now, "week"),
                        pool.preparedQuery(SLA_BY_DAY).execute(Tuple.of(utc(daysFrom))),
                        pool.query(AT_RISK).execute(),
                        pool.query(ESCALATIONS).execute(),
                        pool.query(CRISES).execute(),
                        insights.report(now.minus(Duration.ofDays(90)), now))
                .with(list -> {
                    KpiFigures.Report headline = (KpiFigures.Report) list.get(0);
                    KpiFigures.Report weekly = (KpiFigures.Report) list.get(1);
                    return new Data(now, headlineFrom,
                            headline.groups().isEmpty() ? null : headline.groups().get(0), headline.targets(),
                            days, slaByChannel(rows(list.get(2)), days), atRisk(rows(list.get(3))),
                            weekly.groups().stream().map(KpiFigures.Group::key).toList(),
                            weekly.groups().stream().map(g -> g.csat().value()).toList(),
                            weekly.groups().stream().map(g -> g.nps().value()).toList(),
                            headline.complaints(), counts(rows(list.get(4))), crises(rows(list.get(5))),
                            ((Insights.Report) list.get(6)).top());
                });
    }

    @SuppressWarnings("unchecked")
    private static RowSet<Row> rows(Object o) {
        return (RowSet<Row>) o;
    }

    private static Map<String, List<Double>> slaByChannel(RowSet<Row> rows, List<String> days) {
        Map<String, Map<String, Double>> byChannel = new TreeMap<>();
        for (Row r : rows) {
            long n = r.getLong("n");
            if (n > 0) {
                byChannel.computeIfAbsent(r.getString("channel"), c -> new LinkedHashMap<>())
                        .put(r.getString("day"), KpiFigures.round(100.0 * r.getLong("met") / n));
            }
        }
        Map<String, List<Double>> out = new LinkedHashMap<>();
        byChannel.forEach((channel, perDay) -> out.put(channel, days.stream().map(perDay::get).toList()));
        return out;
    }

    private static List<AtRisk> atRisk(RowSet<Row> rows) {
        List<AtRisk> out = new ArrayList<>();
        for (Row r : rows) {
            out.add(new AtRisk(r.getString("metric"), r.getLong("warned"), r.getLong("breached")));
        }
        return out;
    }

    private static Map<String, Long> counts(RowSet<Row> rows) {
        Map<String, Long> out = new LinkedHashMap<>();
        for (Row r : rows) {
            out.put(r.getString("at"), r.getLong("n"));
        }
        return out;
    }

    private static List<Crisis> crises(RowSet<Row> rows) {
        List<Crisis> out = new ArrayList<>();
        for (Row r : rows) {
            out.add(new Crisis(r.getString("crisis_id"), r.getString("category"), r.getInteger("count"),
                    r.getDouble("baseline"), r.getOffsetDateTime("declared_at").toInstant()));
        }
        return out;
    }
}
