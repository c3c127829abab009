package dev.pledge.policy.feed;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** Settings of the policy feed, the same in every service. */
@ConfigMapping(prefix = "pledge.policy-feed")
public interface PolicyFeedConfig {

    /**
     * How long work that names a policy version not seen yet waits for it (an event that overtook the
     * policy record). Past this the work fails; a consumer then dead-letters the event rather than apply
     * another version.
     */
    @WithDefault("PT30S")
    Duration awaitTimeout();

    /**
     * Whether readiness waits until the topic was read to its end once. intake-service says false:
     * the versions it publishes are in its own table, and it must accept contacts while Kafka is away.
     */
    @WithDefault("true")
    boolean gatesReadiness();
}
