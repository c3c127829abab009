package dev.pledge.sla.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/**
 * sla-service's own settings. Settings it shares with other services live with their modules:
 * {@code pledge.timers.*} (timer engine), {@code pledge.consumer.*} (consumer), {@code pledge.policy-feed.*},
 * {@code pledge.outbox.*}.
 */
@ConfigMapping(prefix = "pledge.sla")
public interface SlaConfig {

    /**
     * How long a met or cancelled timer is kept after it ended. Compliance reports read them, so keep
     * them as long as anyone reports on a period: the default is a little over a year.
     */
    @WithDefault("P400D")
    Duration endedTimerRetention();
}
