package dev.pledge.outbox;

import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

/** Prunes parked outbox rows older than {@code pledge.outbox.parked-retention}. */
@ApplicationScoped
public class ParkedRetention {
    private static final Logger LOG = Logger.getLogger(ParkedRetention.class);

    private final Pool pool;
    private final OutboxConfig config;

    public ParkedRetention(Pool pool, OutboxConfig config) {
        this.pool = pool;
        this.config = config;
    }

    @Scheduled(every = "${pledge.retention.every:1h}", delayed = "${pledge.retention.delay:1m}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> prune() {
        return pool.preparedQuery("DELETE FROM outbox_parked WHERE parked_at < now() - make_interval(secs => $1)")
                .execute(Tuple.of((double) config.parkedRetention().toSeconds()))
                .invoke(rows -> {
                    if (rows.rowCount() > 0) {
                        LOG.infof("pruned %d parked outbox row(s) older than %s", rows.rowCount(), config.parkedRetention());
                    }
                }).replaceWithVoid();
    }
}
