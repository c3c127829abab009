package dev.pledge.escalation.service;

import static dev.pledge.persistence.Sql.utc;

import dev.pledge.escalation.Crisis;
import dev.pledge.escalation.config.EscalationConfig;
import dev.pledge.events.ContactEvent;
import dev.pledge.events.EscalationEvent;
import dev.pledge.outbox.Outbox;
import dev.pledge.outbox.UnitOfWork;
import dev.pledge.persistence.BulkInsert;
import dev.pledge.persistence.Sql;
import dev.pledge.policy.Policy;
import dev.pledge.policy.feed.PolicyFeed;
import dev.pledge.web.Paging;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jboss.logging.Logger;

/**
 * Crisis detection: contacts per category in a sliding window (event time, in buckets of
 * {@code pledge.escalation.crisis-bucket}) against the category's baseline, the average for a window
 * of that size over the rest of {@code baselineWindow}. A category at or over
 * {@code max(minimumCount, factor x baseline)} is declared in crisis once (one open crisis per
 * category, whichever instance counts first); it is cleared when it has stayed below for a full window.
 */
@ApplicationScoped
public class Crises {
    private static final Logger LOG = Logger.getLogger(Crises.class);

    private final PolicyFeed policies;
    private final Outbox outbox;
    private final UnitOfWork unitOfWork;
    private final Duration bucket;

    public Crises(PolicyFeed policies, Outbox outbox, UnitOfWork unitOfWork, EscalationConfig config) {
        this.policies = policies;
        this.outbox = outbox;
        this.unitOfWork = unitOfWork;
        this.bucket = config.crisisBucket();
    }

    /** Counts new contacts (in the caller's transaction) and declares the crises they cause. */
    Uni<Void> count(List<ContactEvent.Received> received) {
        if (received.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        Map<String, Map<Instant, Integer>> counts = new TreeMap<>();
        Map<String, Instant> latest = new TreeMap<>();
        Map<String, Integer> versions = new TreeMap<>();
        for (ContactEvent.Received r : received) {
            counts.computeIfAbsent(r.category(), k -> new TreeMap<>()).merge(bucketOf(r.occurredAt()), 1, Integer::sum);
            latest.merge(r.category(), r.occurredAt(), (a, b) -> a.isAfter(b) ? a : b);
            versions.merge(r.category(), r.policyVersion(), Math::max);
        }
        List<Count> rows = new ArrayList<>();
        counts.forEach((category, byBucket) -> byBucket.forEach((at, n) -> rows.add(new Count(category, at, n))));
        return COUNT.run(rows).chain(() -> Multi.createFrom().iterable(latest.keySet()).onItem()
                .transformToUniAndConcatenate(category -> declareIfOver(category, latest.get(category),
                        versions.get(category)))
                .collect().last().replaceWithVoid());
    }

    private Uni<Void> declareIfOver(String category, Instant at, int version) {
        Policy.Crisis rules = policies.version(version).crisis();
        if (rules == null) {
            return Uni.createFrom().voidItem();
        }
        return measure(category, at, rules).chain(m -> {
            if (!m.over()) {
                return Uni.createFrom().voidItem();
            }
            String id = Outbox.idOf("crisis", category, at).toString();
            Instant windowStart = at.minus(rules.window());
            return Panache.getSession().chain(s -> s.createNativeQuery("INSERT INTO crisis (crisis_id, category,"
                            + " declared_at, window_start, window_end, count, baseline, notified, policy_version)"
                            + " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
                            + " ON CONFLICT (category) WHERE cleared_at IS NULL DO NOTHING")
                    .setParameter(1, id).setParameter(2, category).setParameter(3, utc(at))
                    .setParameter(4, utc(windowStart)).setParameter(5, utc(at)).setParameter(6, (int) m.count())
                    .setParameter(7, m.baseline()).setParameter(8, String.join(",", rules.notifyWho()))
                    .setParameter(9, version).executeUpdate())
                    .chain(inserted -> {
                        if (inserted == 0) {
                            return Uni.createFrom().voidItem(); // already in crisis
                        }
                        LOG.warnf("crisis declared: %d %s contacts in %s (baseline %.1f); telling %s", m.count(),
                                category, rules.window(), m.baseline(), rules.notifyWho());
                        return outbox.append(new EscalationEvent.CrisisDeclared(id, category, windowStart, at,
                                (int) m.count(), m.baseline(), rules.notifyWho(), at, version), Instant.now(),
                                Outbox.idOf(id, "declared")).replaceWithVoid();
                    });
        });
    }

    /** Contacts of the category in the window ending at {@code at}, and the threshold they are held to. */
    record Measure(long count, double baseline, double threshold) {
        boolean over() {
            return count >= threshold;
        }
    }

    /** Contacts of a category received in a bucket of time. */
    private record Count(String category, Instant bucket, int count) {
    }

    private static final BulkInsert<Count> COUNT = BulkInsert.<Count>into("crisis_count").text("category", Count::category)
            .time("bucket", Count::bucket).integer("count", Count::count)
            .then("ON CONFLICT (category, bucket) DO UPDATE SET count = crisis_count.count + EXCLUDED.count");
    private static final String MEASURE = "SELECT coalesce(sum(count) FILTER (WHERE bucket >= $2), 0),"
            + " coalesce(sum(count) FILTER (WHERE bucket < $2), 0) FROM crisis_count"
            + " WHERE category = $1 AND bucket >= $3 AND bucket <= $4";

    private Uni<Measure> measure(String category, Instant at, Policy.Crisis rules) {
        Instant windowStart = bucketOf(at.minus(rules.window()).plus(bucket));
        Instant baselineStart = at.minus(rules.baselineWindow());
        return Sql.rows(MEASURE, category, utc(windowStart), utc(baselineStart), utc(at))
                .map(rows -> {
                    Object[] row = rows.get(0);
                    long recent = ((Number) row[0]).longValue();
                    long before = ((Number) row[1]).longValue();
                    double windows = (double) rules.baselineWindow().minus(rules.window()).toMillis() / rules.window().toMillis();
                    double baseline = Math.round(before / windows * 100) / 100.0;
                    return new Measure(recent, baseline, Math.max(rules.minimumCount(), rules.factor() * baseline));
                });
    }

    /** Clears crises whose category has stayed below its threshold for a full window (the database's clock). */
    @Scheduled(every = "${pledge.escalation.crisis-check-every:10s}", delayed = "5s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = Scheduled.ApplicationNotRunning.class) // not while shutting down: the pool is closing
    Uni<Void> checkOpen() {
        return unitOfWork.run(() -> Panache.getSession().chain(s -> s.createNativeQuery(
                        "SELECT clock_timestamp()", OffsetDateTime.class).getSingleResult()
                .chain(now -> s.createNativeQuery("SELECT * FROM crisis WHERE cleared_at IS NULL FOR UPDATE SKIP LOCKED",
                        Crisis.class).getResultList()
                        .chain(open -> Multi.createFrom().iterable(open).onItem()
                                .transformToUniAndConcatenate(c -> check(c, now.toInstant()))
                                .collect().asList()))))
                .onFailure().recoverWithItem(e -> {
                    LOG.warnf("checking open crises failed (%s); trying again at the next check", e.getMessage());
                    return List.of();
                })
                .replaceWithVoid();
    }

    private Uni<Boolean> check(Crisis crisis, Instant now) {
        Policy.Crisis rules = policies.version(crisis.policyVersion).crisis();
        if (rules == null) {
            rules = policies.newestPolicy().crisis();
        }
        if (rules == null) {
            return clear(crisis, now);
        }
        Policy.Crisis r = rules;
        return measure(crisis.category, now, r).chain(m -> {
            if (m.over()) {
                crisis.belowSince = null;
                return Uni.createFrom().item(false);
            }
            if (crisis.belowSince == null) {
                crisis.belowSince = now;
            }
            return Duration.between(crisis.belowSince, now).compareTo(r.window()) >= 0
                    ? clear(crisis, now) : Uni.createFrom().item(false);
        });
    }

    private Uni<Boolean> clear(Crisis crisis, Instant now) {
        crisis.clearedAt = now;
        LOG.infof("crisis of %s cleared", crisis.category);
        return outbox.append(new EscalationEvent.CrisisCleared(crisis.crisisId, crisis.category, now,
                crisis.policyVersion), now, Outbox.idOf(crisis.crisisId, "cleared")).replaceWith(true);
    }

    /** Open crises, newest first. */
    public Uni<List<Crisis>> open() {
        return Panache.withSession(() -> Panache.getSession().chain(s -> s.createQuery(
                "from Crisis where clearedAt is null order by declaredAt desc", Crisis.class).getResultList()));
    }

    /** Crises declared since {@code since}, open or cleared, newest first, a page at a time. */
    public Uni<List<Crisis>> since(Instant since, Paging paging) {
        return Panache.withSession(() -> Panache.getSession().chain(s -> s.createQuery(
                "from Crisis where declaredAt >= :since or clearedAt is null order by declaredAt desc, crisisId", Crisis.class)
                .setParameter("since", since).setFirstResult(paging.page() * paging.size()).setMaxResults(paging.size())
                .getResultList()));
    }

    private Instant bucketOf(Instant at) {
        long width = bucket.toMillis();
        return Instant.ofEpochMilli(Math.floorDiv(at.toEpochMilli(), width) * width);
    }
}
