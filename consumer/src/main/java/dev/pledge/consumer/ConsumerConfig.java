package dev.pledge.consumer;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** Settings of the shared consumer, the same keys in every service. */
@ConfigMapping(prefix = "pledge.consumer")
public interface ConsumerConfig {

    /**
     * How long applied {@code ce_id}s are kept for deduplication. Must be longer than the retention of
     * every topic consumed (Kafka's default is 7 days), or a replay from the start could apply an
     * event twice.
     */
    @WithDefault("P14D")
    Duration dedupRetention();

    /**
     * The most events one transaction applies: the polls that arrived while the last transaction ran
     * are applied together, whole polls only, up to this many (at least one poll). The default, one
     * full poll ({@code max.poll.records}), keeps a backlog after a stall in transactions no larger
     * than before polls were merged: all of a transaction's events wait for its commit.
     */
    @WithDefault("500")
    int maxTransactionEvents();

    /** The longest wait between retries while the database or broker is unavailable. */
    @WithDefault("PT10S")
    Duration maxRetryBackoff();
}
