package dev.pledge.escalation.config;

import dev.pledge.persistence.RetainedTable;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import jakarta.enterprise.inject.Produces;
import java.time.Duration;

/**
 * escalation-service's own settings. Settings it shares with other services live with their modules:
 * {@code pledge.timers.*}, {@code pledge.consumer.*}, {@code pledge.policy-feed.*}, {@code pledge.outbox.*}.
 */
@ConfigMapping(prefix = "pledge.escalation")
public interface EscalationConfig {

    /** Contacts are counted per category in buckets of this width (event time) to detect a crisis. */
    @WithDefault("PT1M")
    Duration crisisBucket();

    /** How often open crises are checked for having fallen back below their threshold. */
    @WithDefault("10s")
    String crisisCheckEvery();

    /** Crisis counts older than this are pruned; keep it longer than any policy's crisis baselineWindow. */
    @WithDefault("P35D")
    Duration crisisCountRetention();

    /** Resolved escalations, their decisions and closed complaints are kept this long for audit. */
    @WithDefault("P400D")
    Duration historyRetention();

    /** SLA events whose contact.received never came are dropped after this long. */
    @WithDefault("P7D")
    Duration earlyEventRetention();

    /** The tables the shared retention job prunes. */
    final class Tables {
        private Tables() {
        }

        @Produces
        static RetainedTable crisisCounts(EscalationConfig config) {
            return new RetainedTable("crisis_count", "bucket", config.crisisCountRetention());
        }

        @Produces
        static RetainedTable earlyEvents(EscalationConfig config) {
            return new RetainedTable("esc_early_event", "stored_at", config.earlyEventRetention());
        }

        @Produces
        static RetainedTable decisions(EscalationConfig config) {
            return new RetainedTable("escalation_decision", "at", config.historyRetention());
        }

        @Produces
        static RetainedTable resolvedEscalations(EscalationConfig config) {
            return new RetainedTable("escalation", "resolved_at", config.historyRetention());
        }

        @Produces
        static RetainedTable closedComplaints(EscalationConfig config) {
            return new RetainedTable("complaint", "closed_at", config.historyRetention());
        }

        @Produces
        static RetainedTable clearedCrises(EscalationConfig config) {
            return new RetainedTable("crisis", "cleared_at", config.historyRetention());
        }
    }
}
