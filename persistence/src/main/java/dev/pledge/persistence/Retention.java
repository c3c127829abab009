package dev.pledge.persistence;

import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * Prunes every {@link RetainedTable} of the service, every {@code pledge.retention.every} (1 h): rows
 * past their retention, a bounded batch at a time through the time column's index, so pruning never
 * holds a long lock. Tables: {@code outbox_parked} (outbox/), {@code processed_event} (consumer/), and
 * whatever the service declares (sla-service: ended timers). See decision 011.
 */
@ApplicationScoped
public class Retention {
    private static final Logger LOG = Logger.getLogger(Retention.class);
    static final int BATCH = 10_000;

    private final Pool pool;
    private final List<RetainedTable> tables;

    public Retention(Pool pool, Instance<RetainedTable> tables) {
        this.pool = pool;
        this.tables = tables.stream().toList();
    }

    @Scheduled(every = "${pledge.retention.every:1h}", delayed = "${pledge.retention.delay:1m}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = Scheduled.ApplicationNotRunning.class) // not while shutting down: the pool is closing
    Uni<Void> prune() {
        return Multi.createFrom().iterable(tables).onItem().transformToUniAndConcatenate(t -> prune(t, 0))
                .collect().last().replaceWithVoid();
    }

    private Uni<Void> prune(RetainedTable t, long sofar) {
        return pool.preparedQuery("DELETE FROM " + t.table() + " WHERE ctid IN (SELECT ctid FROM " + t.table()
                        + " WHERE " + t.timeColumn() + " < now() - make_interval(secs => $1) LIMIT $2)")
                .execute(Tuple.of((double) t.retention().toSeconds(), BATCH))
                .flatMap(rows -> rows.rowCount() == BATCH ? prune(t, sofar + BATCH)
                        : Uni.createFrom().voidItem().invoke(() -> {
                            if (sofar + rows.rowCount() > 0) {
                                LOG.infof("pruned %d row(s) of %s older than %s", sofar + rows.rowCount(), t.table(),
                                        t.retention());
                            }
                        }))
                .onFailure().recoverWithUni(e -> {
                    LOG.warnf("pruning %s failed (%s); trying again next time", t.table(), e.getMessage());
                    return Uni.createFrom().voidItem();
                });
    }
}
