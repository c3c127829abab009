package dev.pledge.sla.repository;

import dev.pledge.persistence.BulkInsert;
import dev.pledge.persistence.RetainedTable;
import dev.pledge.sla.SlaTimer;
import dev.pledge.sla.config.SlaConfig;
import dev.pledge.web.Paging;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.persistence.LockModeType;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Collection;
import java.util.List;

@ApplicationScoped
public class TimerRepository implements PanacheRepositoryBase<SlaTimer, SlaTimer.Key> {
    /** Ended timers are pruned by the shared retention job after {@code pledge.sla.ended-timer-retention}. */
    @Produces
    static RetainedTable endedTimers(SlaConfig config) {
        return new RetainedTable("sla_timer", "ended_at", config.endedTimerRetention());
    }

    private static final BulkInsert<SlaTimer> INSERT_ALL = BulkInsert.<SlaTimer>into("sla_timer")
            .text("contact_id", t -> t.contactId).text("metric", t -> t.metric).integer("cycle", t -> t.cycle)
            .integer("kafka_partition", t -> t.partition).text("state", t -> t.state).text("rule", t -> t.rule)
            .text("calendar", t -> t.calendar).integer("policy_version", t -> t.policyVersion)
            .bigint("target_ms", t -> t.targetMs).bigint("used_ms", t -> t.usedMs)
            .time("segment_start", t -> t.segmentStart).time("deadline", t -> t.deadline)
            .integer("warned_percent", t -> t.warnedPercent).bool("breached", t -> t.breached)
            .time("next_fire_at", t -> t.nextFireAt).time("started_at", t -> t.startedAt).time("ended_at", t -> t.endedAt)
            .bigint("elapsed_ms", t -> t.elapsedMs).bool("in_target", t -> t.inTarget)
            .time("outcome_at", t -> t.outcomeAt).text("promised", t -> t.promised);

    /** New timers with one statement (they are not in the session afterwards; {@link #allForUpdate} reads them). */
    public Uni<Void> insertAll(List<SlaTimer> timers) {
        return INSERT_ALL.run(timers).replaceWithVoid();
    }

    /**
     * Every timer these contacts have had (the model numbers cycles and promises from them), by contact in
     * the order they started, locked against the clock firing them meanwhile (in contact order: two
     * transactions locking contacts in common wait, never deadlock).
     */
    public Uni<List<SlaTimer>> allForUpdate(Collection<String> contactIds) {
        return find("contactId in ?1", Sort.by("contactId").and("startedAt").and("metric").and("cycle"), contactIds)
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
