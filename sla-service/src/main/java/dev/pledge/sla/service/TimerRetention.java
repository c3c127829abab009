package dev.pledge.sla.service;

import dev.pledge.sla.config.SlaConfig;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

/** Prunes timers that ended longer than {@code pledge.sla.ended-timer-retention} ago, a bounded batch at a time. */
@ApplicationScoped
public class TimerRetention {
    private static final Logger LOG = Logger.getLogger(TimerRetention.class);
    static final int BATCH = 10_000;

    private final Pool pool;
    private final SlaConfig config;

    public TimerRetention(Pool pool, SlaConfig config) {
        this.pool = pool;
        this.config = config;
    }

    @Scheduled(every = "${pledge.retention.every:1h}", delayed = "${pledge.retention.delay:1m}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> prune() {
        return pruneOnce(0);
    }

    private Uni<Void> pruneOnce(long sofar) {
        return pool.preparedQuery("DELETE FROM sla_timer WHERE ctid IN (SELECT ctid FROM sla_timer"
                        + " WHERE ended_at < now() - make_interval(secs => $1) LIMIT $2)")
                .execute(Tuple.of((double) config.endedTimerRetention().toSeconds(), BATCH))
                .flatMap(rows -> rows.rowCount() == BATCH ? pruneOnce(sofar + BATCH)
                        : Uni.createFrom().voidItem().invoke(() -> {
                            if (sofar + rows.rowCount() > 0) {
                                LOG.infof("pruned %d timer(s) ended before the retention of %s",
                                        sofar + rows.rowCount(), config.endedTimerRetention());
                            }
                        }));
    }
}
