package dev.pledge.feedback.service;

import dev.pledge.policy.Policy;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The figures {@code GET /kpis} answers, and the arithmetic every figure shares (shares in percent,
 * rounding, the highest ladder level reached, survey scores): the definitions of docs/outcomes.md, once.
 */
public final class KpiFigures {
    /** Times are exact percentiles of the facts. */
    public static final String EXACT = "exact";
    /** Days came from the daily rollups: times to within 5 %. */
    public static final String BUCKETS = "buckets";

    private KpiFigures() {
    }

    public record Times(Duration median, Duration p90, long count) {
    }

    /** {@code count} of {@code of} (met of the targets with an outcome, kept of the promises, ...), in percent. */
    public record Share(Double percent, long of, long count) {
    }

    public record Score(Double value, long responses) {
    }

    public record Group(String key, long contacts, Times firstResponse, Times resolution, Share slaCompliance,
            Share promisesKept, Share fcr, Share reopenRate, Share escalationRate, String highestLevel, Score csat,
            Score nps, Score ces) {
    }

    /** Answers with a comment, by the category the comment reads as ({@code (none)}: no keyword matched). */
    public record Theme(String theme, long comments, long negative, Double averageSentiment) {
    }

    /**
     * {@code percentiles}: {@code exact} when every contact of the period was read from the facts,
     * {@code buckets} when days came from the daily rollups (times then to within 5 %).
     */
    public record Report(Instant from, Instant to, String groupBy, String percentiles, List<Group> groups,
            Map<String, Long> complaints, List<Theme> commentThemes, Policy.Targets targets) {
    }

    static Share share(long part, long of) {
        return new Share(of == 0 ? null : round(100.0 * part / of), of, part);
    }

    static double round(double v) {
        return Math.round(v * 10) / 10.0;
    }

    /** The name of the ladder level at this rank (1: the lowest), or null for none or one the policy does not have. */
    static String highestLevel(Integer topRank, Policy policy) {
        if (topRank == null || topRank < 1 || policy == null || policy.escalation() == null
                || topRank > policy.escalation().ladder().size()) {
            return null;
        }
        return policy.escalation().ladder().get(topRank - 1).name();
    }

    /** CSAT: the share of answers that were good (4 or 5 of 5). */
    static Score csat(long good, long answers) {
        return new Score(answers == 0 ? null : round(100.0 * good / answers), answers);
    }

    /** NPS: promoters less detractors, in percent of the answers. */
    static Score nps(long promoters, long detractors, long answers) {
        return new Score(answers == 0 ? null : round(100.0 * (promoters - detractors) / answers), answers);
    }
}
