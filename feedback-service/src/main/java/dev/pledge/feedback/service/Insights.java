package dev.pledge.feedback.service;

import static dev.pledge.persistence.Sql.utc;

import dev.pledge.feedback.config.FeedbackConfig;
import dev.pledge.policy.Policy;
import dev.pledge.policy.feed.PolicyFeed;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * What the facts say about the promises: per SLA rule, the share met, CSAT when met versus breached,
 * and the target that would have been met 90 % of the time; categories rising against their baseline;
 * channels with low first-contact resolution. Each insight states its numbers and sample size, and a
 * group smaller than {@code pledge.feedback.insight-minimum-sample} gets no insight at all.
 */
@ApplicationScoped
public class Insights {
    /** Elapsed time of a target breached and never met: counts as longer than any real time. */
    private static final long NEVER_MET = Long.MAX_VALUE / 4;

    public record RuleInsight(String rule, String metric, long targets, Double metPercent, Duration target,
            Duration metNinetyPercent, KpiFigures.Score csatWhenMet, KpiFigures.Score csatWhenBreached, String says) {
    }

    /** {@code factor}: null when the category had no contacts before. */
    public record CategoryInsight(String category, long lastSevenDays, double weeklyBaseline, Double factor, String says) {
    }

    public record ChannelInsight(String channel, long resolved, double fcrPercent, double comparedWith, String says) {
    }

    public record Report(Instant from, Instant to, int minimumSample, List<RuleInsight> rules,
            List<CategoryInsight> risingCategories, List<ChannelInsight> lowFcrChannels, List<String> top) {
    }

    private static final String RULES = """
            WITH s AS (
                SELECT s.rule, s.metric, s.contact_id, s.target_ms, s.started_at,
                    s.outcome = 'met' AS met,
                    CASE WHEN s.elapsed_ms IS NOT NULL THEN s.elapsed_ms ELSE $3 END AS elapsed
                FROM fb_sla s JOIN fb_contact c ON c.contact_id = s.contact_id
                WHERE c.received_at >= $1 AND c.received_at < $2 AND s.metric <> 'promise' AND s.outcome IS NOT NULL
            ), csat AS (
                SELECT contact_id, score FROM fb_survey WHERE state = 'answered' AND kind = 'csat'
            )
            SELECT s.rule, s.metric, count(*) AS n, count(*) FILTER (WHERE s.met) AS met,
                (array_agg(s.target_ms ORDER BY s.started_at DESC))[1] AS target_ms,
                percentile_disc(0.9) WITHIN GROUP (ORDER BY s.elapsed) AS p90,
                count(csat.score) FILTER (WHERE s.met) AS csat_met_n,
                count(csat.score) FILTER (WHERE s.met AND csat.score >= 4) AS csat_met_good,
                count(csat.score) FILTER (WHERE NOT s.met) AS csat_breached_n,
                count(csat.score) FILTER (WHERE NOT s.met AND csat.score >= 4) AS csat_breached_good
            FROM s LEFT JOIN csat ON csat.contact_id = s.contact_id
            GROUP BY s.rule, s.metric ORDER BY s.rule, s.metric""";

    private static final String CATEGORIES = """
            SELECT category,
                count(*) FILTER (WHERE received_at >= CAST($1 AS timestamptz) - interval '7 days') AS recent,
                count(*) FILTER (WHERE received_at < CAST($1 AS timestamptz) - interval '7 days') AS before
            FROM fb_contact WHERE received_at >= CAST($1 AS timestamptz) - interval '35 days' AND received_at < $1 AND category IS NOT NULL
            GROUP BY category""";

    private static final String CHANNELS = """
            SELECT channel, count(*) AS resolved, count(*) FILTER (WHERE first_contact) AS first_contact
            FROM fb_contact_outcome c
            WHERE received_at >= $1 AND received_at < $2 AND resolved_once
            GROUP BY channel""";

    private final Pool pool;
    private final PolicyFeed policies;
    private final int minimum;

    public Insights(Pool pool, PolicyFeed policies, FeedbackConfig config) {
        this.pool = pool;
        this.policies = policies;
        this.minimum = config.insightMinimumSample();
    }

    public Uni<Report> report(Instant from, Instant to) {
        Policy policy = policies.newestPolicy();
        return pool.preparedQuery(RULES).execute(Tuple.of(utc(from), utc(to), NEVER_MET)).map(this::rules)
                .chain(rules -> pool.preparedQuery(CATEGORIES).execute(Tuple.of(utc(to)))
                        .map(this::rising)
                        .chain(rising -> pool.preparedQuery(CHANNELS).execute(Tuple.of(utc(from), utc(to)))
                                .map(rows -> lowFcr(rows, policy))
                                .map(channels -> {
                                    List<String> top = new ArrayList<>();
                                    rules.stream().filter(r -> r.metPercent() != null)
                                            .sorted(Comparator.comparing(RuleInsight::metPercent))
                                            .limit(3).forEach(r -> top.add(r.says()));
                                    rising.stream().limit(1).forEach(c -> top.add(c.says()));
                                    channels.stream().limit(1).forEach(c -> top.add(c.says()));
                                    return new Report(from, to, minimum, rules, rising, channels, top);
                                })));
    }

    private List<RuleInsight> rules(Iterable<Row> rows) {
        List<RuleInsight> out = new ArrayList<>();
        for (Row r : rows) {
            long n = r.getLong("n");
            String rule = r.getString("rule");
            String metric = r.getString("metric");
            if (n < minimum) {
                continue;
            }
            long met = r.getLong("met");
            double percent = KpiFigures.round(100.0 * met / n);
            Duration target = Duration.ofMillis(r.getLong("target_ms"));
            long p90 = r.getLong("p90");
            Duration ninety = p90 >= NEVER_MET ? null : Duration.ofSeconds((p90 + 999) / 1000);
            KpiFigures.Score whenMet = csat(r.getLong("csat_met_good"), r.getLong("csat_met_n"));
            KpiFigures.Score whenBreached = csat(r.getLong("csat_breached_good"), r.getLong("csat_breached_n"));
            StringBuilder says = new StringBuilder();
            says.append(rule).append(" (").append(metric).append(", target ").append(human(target)).append("): ")
                    .append(percent).append(" % met of ").append(n).append('.');
            if (whenMet.value() != null && whenBreached.value() != null) {
                says.append(" CSAT ").append(whenMet.value()).append(" % when met (n=").append(whenMet.responses())
                        .append(") against ").append(whenBreached.value()).append(" % when breached (n=")
                        .append(whenBreached.responses()).append(").");
            }
            if (ninety == null) {
                says.append(" More than 10 % were never met: no target would have been met 90 % of the time.");
            } else if (percent < 90) {
                says.append(" A target of ").append(human(ninety)).append(" would have been met 90 % of the time.");
            } else {
                says.append(" 90 % were within ").append(human(ninety)).append('.');
            }
            out.add(new RuleInsight(rule, metric, n, percent, target, ninety, whenMet, whenBreached, says.toString()));
        }
        return out;
    }

    private KpiFigures.Score csat(long good, long n) {
        return new KpiFigures.Score(n < minimum ? null : KpiFigures.round(100.0 * good / n), n);
    }

    private List<CategoryInsight> rising(Iterable<Row> rows) {
        List<CategoryInsight> out = new ArrayList<>();
        for (Row r : rows) {
            long recent = r.getLong("recent");
            double baseline = r.getLong("before") / 4.0;
            if (recent < minimum || recent < 1.5 * Math.max(baseline, 1)) {
                continue;
            }
            Double factor = baseline == 0 ? null : KpiFigures.round(recent / baseline);
            String category = r.getString("category");
            out.add(new CategoryInsight(category, recent, KpiFigures.round(baseline), factor, category + ": " + recent
                    + " contacts in the last 7 days" + (baseline == 0 ? ", none in the 4 weeks before."
                    : " against " + KpiFigures.round(baseline) + " a week over the 4 weeks before (" + factor + "×).")));
        }
        out.sort(Comparator.comparing((CategoryInsight c) -> c.factor() == null ? Double.MAX_VALUE : c.factor()).reversed());
        return out;
    }

    private List<ChannelInsight> lowFcr(Iterable<Row> rows, Policy policy) {
        long all = 0;
        long firstAll = 0;
        List<Row> list = new ArrayList<>();
        for (Row r : rows) {
            all += r.getLong("resolved");
            firstAll += r.getLong("first_contact");
            list.add(r);
        }
        Double target = policy == null || policy.feedback() == null || policy.feedback().targets() == null ? null
                : policy.feedback().targets().fcr();
        double compared = target != null ? target : all == 0 ? 0 : KpiFigures.round(100.0 * firstAll / all) - 10;
        String against = target != null ? "the policy's target of " + target + " %"
                : "the other channels (" + KpiFigures.round(100.0 * firstAll / Math.max(all, 1)) + " % overall, less 10 points)";
        List<ChannelInsight> out = new ArrayList<>();
        for (Row r : list) {
            long resolved = r.getLong("resolved");
            if (resolved < minimum) {
                continue;
            }
            double fcr = KpiFigures.round(100.0 * r.getLong("first_contact") / resolved);
            if (fcr < compared) {
                String channel = r.getString("channel");
                out.add(new ChannelInsight(channel, resolved, fcr, compared, channel + ": first-contact resolution "
                        + fcr + " % of " + resolved + " resolved, below " + against + "."));
            }
        }
        out.sort(Comparator.comparingDouble(ChannelInsight::fcrPercent));
        return out;
    }

    /** PT1H30M as "1 h 30 min". */
    static String human(Duration d) {
        if (d == null) {
            return "none";
        }
        long days = d.toDays();
        long hours = d.toHoursPart();
        long minutes = d.toMinutesPart();
        long seconds = d.toSecondsPart();
        StringBuilder s = new StringBuilder();
        if (days > 0) {
            s.append(days).append(" d ");
        }
        if (hours > 0) {
            s.append(hours).append(" h ");
        }
        if (minutes > 0) {
            s.append(minutes).append(" min ");
        }
        if (seconds > 0 || s.isEmpty()) {
            s.append(seconds).append(" s ");
        }
        return s.toString().trim();
    }
}
