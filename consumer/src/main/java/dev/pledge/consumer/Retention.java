package dev.pledge.consumer;

import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

/**
 * Prunes {@code processed_event} past {@code pledge.consumer.dedup-retention}, a bounded batch at a
 * time through the {@code processed_at} index, so pruning never holds a long lock.
 */
@ApplicationScoped
public class Retention {
    private static final Logger LOG = Logger.getLogger(Retention.class);
    static final int BATCH = 10_000;

    private final Pool pool;
    private final ConsumerConfig config;

    public Retention(Pool pool, ConsumerConfig config) {
        this.pool = pool;
        this.config = config;
    }

    @Scheduled(every = "${pledge.retention.every:1h}", delayed = "${pledge.retention.delay:1m}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> prune() {
        return pruneOnce(0);
    }

    private Uni<Void> pruneOnce(long sofar) {
        return pool.preparedQuery("DELETE FROM processed_event WHERE event_id IN (SELECT event_id FROM processed_event"
                        + " WHERE processed_at < now() - make_interval(secs => $1) LIMIT $2)")
                .execute(Tuple.of((double) config.dedupRetention().toSeconds(), BATCH))
                .flatMap(rows -> rows.rowCount() == BATCH ? pruneOnce(sofar + BATCH)
                        : Uni.createFrom().voidItem().invoke(() -> {
                            if (sofar + rows.rowCount() > 0) {
                                LOG.infof("pruned %d processed event id(s) older than %s", sofar + rows.rowCount(),
                                        config.dedupRetention());
                            }
                        }));
    }
}
