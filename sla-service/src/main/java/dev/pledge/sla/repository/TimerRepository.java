package dev.pledge.sla.repository;

import dev.pledge.sla.SlaTimer;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import dev.pledge.web.Paging;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Collection;
import java.util.List;

@ApplicationScoped
public class TimerRepository implements PanacheRepositoryBase<SlaTimer, SlaTimer.Key> {

    /** A contact's running and paused timers, locked against the clock firing them meanwhile. */
    public Uni<List<SlaTimer>> openForUpdate(String contactId) {
        return find("contactId = ?1 and state in ('running', 'paused')", contactId)
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

    /** The highest cycle of a metric, 0 when none. */
    public Uni<Integer> lastCycle(String contactId, String metric) {
        return find("select coalesce(max(cycle), 0) from SlaTimer where contactId = ?1 and metric = ?2", contactId, metric)
                .project(Integer.class).singleResult();
    }

    /** Running, not yet breached, due by {@code until}: soonest first. */
    public Uni<List<SlaTimer>> atRisk(Instant until, Paging paging) {
        return find("state = 'running' and breached = false and deadline <= ?1", Sort.by("deadline"), until)
                .page(paging.page(), paging.size()).list();
    }
}
