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

    /** The longest wait between retries while the database or broker is unavailable. */
    @WithDefault("PT10S")
    Duration maxRetryBackoff();
}
