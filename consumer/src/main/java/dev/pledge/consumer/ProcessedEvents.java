package dev.pledge.consumer;

import dev.pledge.persistence.RetainedTable;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;

/** {@code processed_event} is kept for {@code pledge.consumer.dedup-retention}, then pruned. */
@ApplicationScoped
public class ProcessedEvents {

    @Produces
    static RetainedTable retained(ConsumerConfig config) {
        return new RetainedTable("processed_event", "processed_at", config.dedupRetention());
    }
}
