package dev.pledge.intake.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;

/** intake-service's own settings. */
@ConfigMapping(prefix = "pledge.intake")
public interface IntakeConfig {

    GroupCommit groupCommit();

    /**
     * How long an activity's {@code Idempotency-Key} is remembered: a retry after this is a new activity.
     * Pruned by the shared retention job ({@code pledge.retention.every}).
     */
    @WithDefault("P7D")
    java.time.Duration activityKeyRetention();

    /**
     * New contacts that arrive while a transaction is being written wait for the next one and are
     * written together (see {@code GroupCommit}); each is answered after that commit.
     */
    interface GroupCommit {
        /** Off: one transaction per contact, as before (for comparison, or if ever in doubt). */
        @WithDefault("true")
        boolean enabled();

        /**
         * Activities too (see {@code ActivityGroupCommit}): those that arrive together are applied in one
         * transaction. Off: one transaction per activity, as before.
         */
        @WithDefault("true")
        boolean activities();

        /** At most this many contacts (or activities) per transaction. */
        @WithDefault("250")
        @Min(1)
        @Max(5000)
        int maxSize();

        /** Transactions written at the same time: one commits while the next is built. */
        @WithDefault("2")
        @Min(1)
        @Max(32)
        int writers();
    }
}
