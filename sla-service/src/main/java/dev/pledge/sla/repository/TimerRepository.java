package dev.pledge.sla.repository;

import dev.pledge.outbox.SessionSql;
import dev.pledge.sla.SlaTimer;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import dev.pledge.web.Paging;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.List;

@ApplicationScoped
public class TimerRepository implements PanacheRepositoryBase<SlaTimer, SlaTimer.Key> {
    private static final String INSERT_ALL = """
            INSERT INTO sla_timer (contact_id, metric, cycle, kafka_partition, state, rule, calendar, policy_version,
                                   target_ms, used_ms, segment_start, deadline, warned_percent, breached, next_fire_at,
                                   started_at, ended_at, elapsed_ms, in_target, outcome_at, promised)
            SELECT * FROM unnest($1::text[], $2::text[], $3::int[], $4::int[], $5::text[], $6::text[], $7::text[],
                                 $8::int[], $9::bigint[], $10::bigint[], $11::timestamptz[], $12::timestamptz[],
                                 $13::int[], $14::boolean[], $15::timestamptz[], $16::timestamptz[],
                                 $17::timestamptz[], $18::bigint[], $19::boolean[], $20::timestamptz[], $21::text[])""";

    /** New timers with one statement (they are not in the session afterwards; {@link #allForUpdate} reads them). */
    public Uni<Void> insertAll(List<SlaTimer> timers) {
        if (timers.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        int n = timers.size();
        String[] ids = new String[n], metrics = new String[n], states = new String[n], rules = new String[n],
                calendars = new String[n], promised = new String[n];
        Integer[] cycles = new Integer[n], partitions = new Integer[n], versions = new Integer[n], warned = new Integer[n];
        Long[] targets = new Long[n], used = new Long[n], elapsed = new Long[n];
        Boolean[] breached = new Boolean[n], inTarget = new Boolean[n];
        OffsetDateTime[] segmentStarts = new OffsetDateTime[n], deadlines = new OffsetDateTime[n],
                nextFires = new OffsetDateTime[n], starts = new OffsetDateTime[n], ends = new OffsetDateTime[n],
                outcomes = new OffsetDateTime[n];
        for (int i = 0; i < n; i++) {
            SlaTimer t = timers.get(i);
            ids[i] = t.contactId;
            metrics[i] = t.metric;
            cycles[i] = t.cycle;
            partitions[i] = t.partition;
            states[i] = t.state;
            rules[i] = t.rule;
            calendars[i] = t.calendar;
            versions[i] = t.policyVersion;
            targets[i] = t.targetMs;
            used[i] = t.usedMs;
            segmentStarts[i] = utc(t.segmentStart);
            deadlines[i] = utc(t.deadline);
            warned[i] = t.warnedPercent;
            breached[i] = t.breached;
            nextFires[i] = utc(t.nextFireAt);
            starts[i] = utc(t.startedAt);
            ends[i] = utc(t.endedAt);
            elapsed[i] = t.elapsedMs;
            inTarget[i] = t.inTarget;
            outcomes[i] = utc(t.outcomeAt);
            promised[i] = t.promised;
        }
        return SessionSql.update(INSERT_ALL, ids, metrics, cycles, partitions, states, rules, calendars, versions,
                targets, used, segmentStarts, deadlines, warned, breached, nextFires, starts, ends, elapsed, inTarget,
                outcomes, promised).replaceWithVoid();
    }

    private static OffsetDateTime utc(Instant at) {
        return at == null ? null : at.atOffset(ZoneOffset.UTC);
    }

    /**
     * Every timer a contact has had (the model numbers cycles and promises from them), in the order they
     * started, locked against the clock firing them meanwhile.
     */
    public Uni<List<SlaTimer>> allForUpdate(String contactId) {
        return find("contactId", Sort.by("startedAt").and("metric").and("cycle"), contactId)
                .withLock(LockModeType.PESSIMISTIC_WRITE).list();
    }

    /**
     * Running timers of these contacts due by the database's clock, locked, skipping rows another
     * transaction holds (a consumer applying a reply): the firing thread never waits in a lock queue,
     * and the timer engine tries skipped ones again. Also returns the database's clock.
     */
    public Uni<Due> dueForUpdate(Collection<String> contactIds) {
        return getSession().flatMap(s -> s.createNativeQuery("SELECT clock_timestamp()", OffsetDateTime.class)
                .getSingleResult().flatMap(now -> s.createNativeQuery("SELECT * FROM sla_timer WHERE contact_id IN (:ids)"
                                + " AND next_fire_at <= :now AND state = 'running' ORDER BY contact_id, metric, cycle"
                                + " FOR UPDATE SKIP LOCKED", SlaTimer.class)
                        .setParameter("ids", contactIds).setParameter("now", now)
                        .getResultList().map(list -> new Due(now.toInstant(), list))));
    }

    /** Timers due at {@code now} by the database's clock. */
    public record Due(Instant now, List<SlaTimer> timers) {
    }

    public Uni<List<SlaTimer>> ofContact(String contactId) {
        return find("contactId", Sort.by("startedAt").and("metric").and("cycle"), contactId).list();
    }

    /** Running, not yet breached, due by {@code until}: soonest first. */
    public Uni<List<SlaTimer>> atRisk(Instant until, Paging paging) {
        return find("state = 'running' and breached = false and deadline <= ?1", Sort.by("deadline"), until)
                .page(paging.page(), paging.size()).list();
    }
}
