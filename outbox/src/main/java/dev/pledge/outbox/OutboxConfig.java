package dev.pledge.outbox;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** Settings of the outbox relay, the same keys in every producing service. */
@ConfigMapping(prefix = "pledge.outbox")
public interface OutboxConfig {

    /** Rows published per transaction. */
    @WithDefault("500")
    @jakarta.validation.constraints.Min(1)
    @jakarta.validation.constraints.Max(10_000)
    int batchSize();

    /** How often the relay looks again when nothing woke it (after a broker outage, say). */
    @WithDefault("PT1S")
    Duration sweepInterval();

    /** An unpublished row older than this makes readiness report the relay as stuck. */
    @WithDefault("PT1M")
    Duration stuckAfter();

    /** How long rows the broker refused for good are kept in {@code outbox_parked} for someone to look at. */
    @WithDefault("P30D")
    Duration parkedRetention();
}
