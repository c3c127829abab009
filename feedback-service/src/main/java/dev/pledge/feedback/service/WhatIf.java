package dev.pledge.feedback.service;

import dev.pledge.events.Channel;
import dev.pledge.events.Priority;
import dev.pledge.events.SlaMetric;
import dev.pledge.policy.BusinessCalendar;
import dev.pledge.policy.Policy;
import dev.pledge.policy.feed.PolicyFeed;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Replays the stored facts of a period under a candidate policy and under the policy in force, both the
 * same way: for each response and resolution target that ended or was breached, the rule the policy
 * picks for the contact (channel, priority, tier, category as they ended up), its target, and the time
 * elapsed in that rule's calendar from start to end less the target's pauses. A target breached and
 * never met is elapsed up to the end of the period. Nothing is published or changed.
 */
@ApplicationScoped
public class WhatIf {
    /** Contacts whose outcome would change, listed per row at most. */
    static final int EXAMPLES = 10;

    public record Row(String metric, String rule, String channel, long targets, long metNow, long metCandidate,
            Double percentNow, Double percentCandidate, long wouldBeMet, long wouldBeMissed, List<String> examples) {
    }

    public record Report(Instant from, Instant to, int versionNow, long targets, long metNow, long metCandidate,
            List<Row> rows) {
    }

    private static final String FACTS = """
            SELECT s.contact_id, s.metric, s.started_at, coalesce(s.ended_at, $2) AS ended_at, c.channel, c.priority,
                c.tier, c.category,
                (SELECT array_agg(p.paused_at ORDER BY p.paused_at) FROM fb_pause p
                    WHERE p.contact_id = s.contact_id AND p.metric = s.metric AND p.cycle = s.cycle) AS paused,
                (SELECT array_agg(coalesce(p.resumed_at, $2) ORDER BY p.paused_at) FROM fb_pause p
                    WHERE p.contact_id = s.contact_id AND p.metric = s.metric AND p.cycle = s.cycle) AS resumed
            FROM fb_sla s JOIN fb_contact c ON c.contact_id = s.contact_id
            WHERE c.received_at >= $1 AND c.received_at < $2
                AND s.metric IN ('first-response', 'next-response', 'resolution') AND s.outcome IS NOT NULL""";

    private final Pool pool;
    private final PolicyFeed policies;

    public WhatIf(Pool pool, PolicyFeed policies) {
        this.pool = pool;
        this.policies = policies;
    }

    public Uni<Report> replay(Policy candidate, Instant from, Instant to) {
        Policy now = policies.newestPolicy();
        int version = policies.newest();
        return pool.preparedQuery(FACTS).execute(Tuple.of(Kpis.utc(from), Kpis.utc(to))).map(rows -> {
            Map<String, Tally> tallies = new TreeMap<>();
            long total = 0;
            long metNow = 0;
            long metCandidate = 0;
            for (io.vertx.mutiny.sqlclient.Row r : rows) {
                Fact f = Fact.of(r);
                Outcome a = now == null ? null : outcome(now, f);
                Outcome b = outcome(candidate, f);
                if (b == null) {
                    continue; // the candidate sets no such target for this contact
                }
                boolean wasMet = a != null && a.met();
                total++;
                metNow += wasMet ? 1 : 0;
                metCandidate += b.met() ? 1 : 0;
                String key = f.metric() + "|" + b.rule() + "|" + f.channel().wire();
                tallies.computeIfAbsent(key, k -> new Tally(f.metric().wire(), b.rule(), f.channel().wire()))
                        .add(f.contactId(), wasMet, b.met());
            }
            return new Report(from, to, version, total, metNow, metCandidate,
                    tallies.values().stream().map(Tally::row).toList());
        });
    }

    /** The outcome of a fact under a policy, or null when the policy sets no target of that metric for it. */
    static Outcome outcome(Policy policy, Fact f) {
        Policy.SlaRule rule = policy.slaRule(f.channel(), f.priority(), f.tier(), f.category());
        Duration target = switch (f.metric()) {
            case FIRST_RESPONSE -> rule.firstResponse();
            case NEXT_RESPONSE -> rule.nextResponse();
            case RESOLUTION -> rule.resolution();
            case PROMISE -> null;
        };
        if (target == null) {
            return null;
        }
        BusinessCalendar calendar = policy.calendar(rule.calendar());
        Duration elapsed = calendar.between(f.start(), f.end());
        for (int i = 0; i < f.paused().size(); i++) {
            Instant a = max(f.paused().get(i), f.start());
            Instant b = min(f.resumed().get(i), f.end());
            if (a.isBefore(b)) {
                elapsed = elapsed.minus(calendar.between(a, b));
            }
        }
        return new Outcome(rule.name(), !elapsed.isNegative() && elapsed.compareTo(target) <= 0);
    }

    record Outcome(String rule, boolean met) {
    }

    record Fact(String contactId, SlaMetric metric, Instant start, Instant end, Channel channel, Priority priority,
            String tier, String category, List<Instant> paused, List<Instant> resumed) {
        static Fact of(io.vertx.mutiny.sqlclient.Row r) {
            return new Fact(r.getString("contact_id"), SlaMetric.of(r.getString("metric")),
                    r.getOffsetDateTime("started_at").toInstant(), r.getOffsetDateTime("ended_at").toInstant(),
                    Channel.of(r.getString("channel")), Priority.of(r.getString("priority")), r.getString("tier"),
                    r.getString("category"), instants(r, "paused"), instants(r, "resumed"));
        }

        private static List<Instant> instants(io.vertx.mutiny.sqlclient.Row r, String column) {
            java.time.OffsetDateTime[] values = r.getArrayOfOffsetDateTimes(column);
            List<Instant> out = new ArrayList<>();
            if (values != null) {
                for (java.time.OffsetDateTime v : values) {
                    out.add(v.toInstant());
                }
            }
            return out;
        }
    }

    private static final class Tally {
        final String metric;
        final String rule;
        final String channel;
        long targets;
        long metNow;
        long metCandidate;
        long wouldBeMet;
        long wouldBeMissed;
        final List<String> examples = new ArrayList<>();

        Tally(String metric, String rule, String channel) {
            this.metric = metric;
            this.rule = rule;
            this.channel = channel;
        }

        void add(String contactId, boolean now, boolean candidate) {
            targets++;
            metNow += now ? 1 : 0;
            metCandidate += candidate ? 1 : 0;
            if (now != candidate) {
                if (candidate) {
                    wouldBeMet++;
                } else {
                    wouldBeMissed++;
                }
                if (examples.size() < EXAMPLES && !examples.contains(contactId)) {
                    examples.add(contactId);
                }
            }
        }

        Row row() {
            return new Row(metric, rule, channel, targets, metNow, metCandidate, Kpis.share(metNow, targets).percent(),
                    Kpis.share(metCandidate, targets).percent(), wouldBeMet, wouldBeMissed, List.copyOf(examples));
        }
    }

    private static Instant max(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }

    private static Instant min(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
    }
}
