package dev.pledge.sla.repository;

import dev.pledge.sla.SlaTimer;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import dev.pledge.web.Paging;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;
import java.time.Instant;
import java.util.Collection;
import java.util.List;

@ApplicationScoped
public class TimerRepository implements PanacheRepositoryBase<SlaTimer, SlaTimer.Key> {

    /** A contact's running and paused timers, locked against the clock firing them meanwhile. */
    public Uni<List<SlaTimer>> openForUpdate(String contactId) {
        return find("contactId = ?1 and state in ('running', 'paused')", contactId)
                .withLock(LockModeType.PESSIMISTIC_WRITE).list();
    }

    /** Running timers of these contacts with something due by {@code now}, locked. */
    public Uni<List<SlaTimer>> dueForUpdate(Collection<String> contactIds, Instant now) {
        return find("contactId in ?1 and nextFireAt <= ?2 and state = 'running'", contactIds, now)
                .withLock(LockModeType.PESSIMISTIC_WRITE).list();
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
