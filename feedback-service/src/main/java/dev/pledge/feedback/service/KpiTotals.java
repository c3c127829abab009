package dev.pledge.feedback.service;

import static dev.pledge.feedback.service.KpiFigures.csat;
import static dev.pledge.feedback.service.KpiFigures.highestLevel;
import static dev.pledge.feedback.service.KpiFigures.nps;
import static dev.pledge.feedback.service.KpiFigures.round;
import static dev.pledge.feedback.service.KpiFigures.share;

import dev.pledge.feedback.repository.KpiRollups;
import dev.pledge.feedback.service.KpiFigures.Group;
import dev.pledge.feedback.service.KpiFigures.Score;
import dev.pledge.feedback.service.KpiFigures.Times;
import dev.pledge.policy.Policy;
import io.vertx.mutiny.sqlclient.Row;
import java.time.Duration;
import java.time.LocalDate;
import java.util.Map;

/**
 * {@code GET /kpis} from the daily rollups and contributions: counters and time histograms added up per
 * group, and percentiles read from the merged histograms (as {@code percentile_cont} would, to
 * within a bucket's 5 %).
 */
final class KpiTotals {
    /**
     * {@code fb_kpi_bucket} (feedback migration V9): bucket b holds [1000·1.05^(b−1), 1000·1.05^b) ms, negative
     * under a second; 0 ms has this bucket of its own.
     */
    static final int ZERO_MS_BUCKET = -142;

    private KpiTotals() {
    }

    /** The group a day's row belongs to under this grouping. */
    static String key(String groupBy, LocalDate day, String value) {
        return switch (groupBy) {
            case "none" -> "all";
            case "day" -> day.toString();
            case "week" -> String.format(java.util.Locale.ROOT, "%d-W%02d", day.get(java.time.temporal.IsoFields.WEEK_BASED_YEAR),
                    day.get(java.time.temporal.IsoFields.WEEK_OF_WEEK_BASED_YEAR));
            case "month" -> java.time.YearMonth.from(day).toString();
            default -> value;
        };
    }

    /** A counters row (fb_kpi_day's columns, with {@code g}), added with this sign. */
    static void counters(Map<String, Acc> acc, String groupBy, Row r, int sign) {
        acc.computeIfAbsent(key(groupBy, r.getLocalDate("day"), r.getString("g")), k -> new Acc()).add(r, sign);
    }

    /** A histogram row (fb_kpi_hist's columns, with {@code g}), added with this sign. */
    static void histogram(Map<String, Acc> acc, String groupBy, Row r, int sign) {
        acc.computeIfAbsent(key(groupBy, r.getLocalDate("day"), r.getString("g")), k -> new Acc())
                .hist.computeIfAbsent(r.getString("metric"), m -> new java.util.TreeMap<>())
                .merge(r.getInteger("bucket"), sign * r.getLong("n"), Long::sum);
    }

    /**
     * Counters and histograms of one group, added up over days and corrections (rows taken out are added
     * with sign -1). Histogram {@code rank}: escalated contacts per ladder rank.
     */
    static final class Acc {
        final Map<String, Long> n = new java.util.HashMap<>();
        final Map<String, java.util.TreeMap<Integer, Long>> hist = new java.util.HashMap<>();

        void add(Row r, int sign) {
            for (String c : KpiRollups.COUNTERS) {
                Long v = r.getLong(c);
                n.merge(c, v == null ? 0 : sign * v, Long::sum);
            }
        }

        long get(String c) {
            return n.getOrDefault(c, 0L);
        }

        Times times(String metric) {
            java.util.TreeMap<Integer, Long> h = hist.getOrDefault(metric, new java.util.TreeMap<>());
            long total = h.values().stream().mapToLong(Long::longValue).sum();
            return new Times(percentile(h, total, 0.5), percentile(h, total, 0.9), total);
        }

        /** The highest rank with an escalated contact, 0 for none. */
        int topRank() {
            return hist.getOrDefault("rank", new java.util.TreeMap<>()).entrySet().stream()
                    .filter(e -> e.getValue() > 0).mapToInt(Map.Entry::getKey).max().orElse(0);
        }

        Group group(String key, Policy policy) {
            long contacts = get("contacts");
            long resolved = get("resolved");
            long cesN = get("ces_n");
            return new Group(key, contacts, times("first-response"), times("resolution"), share(get("met"), get("targets")),
                    share(get("kept"), get("promises")), share(get("first_contact"), resolved),
                    share(get("reopened"), resolved), share(get("escalated"), contacts), highestLevel(topRank(), policy),
                    csat(get("csat_good"), get("csat_n")), nps(get("promoters"), get("detractors"), get("nps_n")),
                    new Score(cesN == 0 ? null : round((double) get("ces_sum") / cesN), cesN));
        }
    }

    /**
     * As {@code percentile_cont}: linear between the values at the two ranks around p·(n−1), each value
     * being its bucket's geometric middle.
     */
    static Duration percentile(java.util.TreeMap<Integer, Long> h, long total, double p) {
        if (total == 0) {
            return null;
        }
        double position = p * (total - 1);
        long lo = (long) Math.floor(position);
        double low = valueAt(h, lo);
        double high = valueAt(h, Math.min(total - 1, lo + 1));
        return Duration.ofMillis(Math.round(low + (position - lo) * (high - low)));
    }

    /** The value of the element at this index (0-based) in bucket order. */
    private static double valueAt(java.util.TreeMap<Integer, Long> h, long index) {
        long seen = 0;
        int b = 0;
        for (Map.Entry<Integer, Long> e : h.entrySet()) {
            seen += e.getValue();
            b = e.getKey();
            if (seen > index) {
                break;
            }
        }
        return b == ZERO_MS_BUCKET ? 0 : 1000 * Math.pow(1.05, b - 0.5);
    }
}
