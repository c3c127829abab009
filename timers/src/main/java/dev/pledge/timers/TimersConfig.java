package dev.pledge.timers;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** Settings of every timer engine of a service. */
@ConfigMapping(prefix = "pledge.timers")
public interface TimersConfig {

    /** Timers due within this are held in memory; the rest wait in the database. */
    @WithDefault("PT1M")
    Duration horizon();

    /** How often the owned partitions' timers are read again (also on every partition assignment). */
    @WithDefault("PT20S")
    Duration refillInterval();

    /**
     * A timer overdue by this much has no live owner (its instance died, or the group has not
     * reassigned its partition yet): any instance fires it.
     */
    @WithDefault("PT5S")
    Duration orphanGrace();

    /** At most this many timers are fired in one transaction. */
    @WithDefault("500")
    @jakarta.validation.constraints.Min(1)
    @jakarta.validation.constraints.Max(10_000)
    int fireBatch();

    /** A due timer whose row another transaction holds is tried again after this. */
    @WithDefault("PT0.1S")
    Duration lockedRetry();
}
