package dev.pledge.sla.service;

import static dev.pledge.persistence.Sql.utc;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * SLA compliance over a period, by the definitions of {@code docs/outcomes.md}: the targets of contacts
 * received in [from, to), each counted once by its outcome as it stands (met in target; breached, or met
 * late; a corrected breach is met; a target still running unbreached, or cancelled unbreached, has no
 * outcome yet). Promises are counted apart (kept, broken), as {@code GET /kpis} counts them. Median and 90th
 * percentile of first response and resolution times (business time) of the targets met.
 */
@ApplicationScoped
public class Compliance {
    /** groupBy values and the column each groups on: a fixed list, never text from the request. */
    public static final Map<String, String> GROUPS = Map.of(
            "channel", "c.channel", "priority", "c.priority", "team", "coalesce(c.team, '(none)')", "policyRule", "t.rule");

    private final Pool pool;

    public Compliance(Pool pool) {
        this.pool = pool;
    }

    public record Times(Duration median, Duration p90) {
    }

    public record Group(String group, long met, long breached, Double shareMet, Times firstResponse, Times resolution,
            long promisesKept, long promisesBroken) {
    }

    public record Report(Instant from, Instant to, String groupBy, List<Group> groups) {
    }

    public Uni<Report> report(Instant from, Instant to, String groupBy) {
        String group = groupBy == null ? "'all'" : GROUPS.get(groupBy);
        String sql = "SELECT " + group + " AS grp,"
                + " count(*) FILTER (WHERE t.metric <> 'promise' AND t.in_target) AS met,"
                + " count(*) FILTER (WHERE t.metric <> 'promise' AND NOT t.in_target) AS breached,"
                + " count(*) FILTER (WHERE t.metric = 'promise' AND t.in_target) AS kept,"
                + " count(*) FILTER (WHERE t.metric = 'promise' AND NOT t.in_target) AS broken,"
                + " percentile_cont(0.5) WITHIN GROUP (ORDER BY t.elapsed_ms) FILTER (WHERE t.metric = 'first-response' AND t.state = 'met') AS fr50,"
                + " percentile_cont(0.9) WITHIN GROUP (ORDER BY t.elapsed_ms) FILTER (WHERE t.metric = 'first-response' AND t.state = 'met') AS fr90,"
                + " percentile_cont(0.5) WITHIN GROUP (ORDER BY t.elapsed_ms) FILTER (WHERE t.metric = 'resolution' AND t.state = 'met') AS res50,"
                + " percentile_cont(0.9) WITHIN GROUP (ORDER BY t.elapsed_ms) FILTER (WHERE t.metric = 'resolution' AND t.state = 'met') AS res90"
                + " FROM sla_contact c JOIN sla_timer t ON t.contact_id = c.contact_id"
                + " WHERE c.received_at >= $1 AND c.received_at < $2 AND t.in_target IS NOT NULL"
                + " GROUP BY grp ORDER BY grp";
        return pool.preparedQuery(sql).execute(Tuple.of(utc(from), utc(to))).map(rows -> {
            List<Group> groups = new ArrayList<>();
            for (Row r : rows) {
                long met = r.getLong("met");
                long breached = r.getLong("breached");
                groups.add(new Group(r.getString("grp"), met, breached,
                        met + breached == 0 ? null : (double) met / (met + breached),
                        new Times(ms(r, "fr50"), ms(r, "fr90")), new Times(ms(r, "res50"), ms(r, "res90")),
                        r.getLong("kept"), r.getLong("broken")));
            }
            return new Report(from, to, groupBy, groups);
        });
    }

    private static Duration ms(Row r, String column) {
        Double value = r.getDouble(column);
        return value == null ? null : Duration.ofMillis(Math.round(value));
    }

}
