package dev.pledge.feedback.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.util.List;
import java.util.Optional;

/**
 * feedback-service's own settings. Settings it shares with other services live with their modules:
 * {@code pledge.timers.*}, {@code pledge.consumer.*}, {@code pledge.policy-feed.*}, {@code pledge.outbox.*}.
 */
@ConfigMapping(prefix = "pledge.feedback")
public interface FeedbackConfig {

    /**
     * The HMAC-SHA256 key survey tokens are signed with, base64; at least 32 bytes. Required outside the dev
     * and test profiles: the service refuses to start without one ({@code SurveyTokens}).
     */
    Optional<String> tokenKey();

    /**
     * The proxies in front of this service (addresses or CIDR ranges) whose {@code X-Forwarded-For} names the
     * client of {@code POST /feedback}; none by default, so the connection's peer is the client.
     */
    Optional<List<String>> trustedProxies();

    /**
     * The dashboard's cookies carry {@code Secure}: browsers send them over HTTPS only (and to
     * {@code http://localhost}). Turn off only to serve the dashboard over plain HTTP to another host.
     */
    @WithDefault("true")
    boolean secureCookies();

    /** {@code POST /feedback}: answers a minute accepted from one client address. */
    @WithDefault("30")
    int answersPerMinute();

    /** Insights say nothing about a group with fewer contacts (or answers) than this. */
    @WithDefault("30")
    int insightMinimumSample();

    /** The longest period {@code GET /kpis} and the what-if replay read. */
    @WithDefault("P400D")
    java.time.Duration maxPeriod();

    /**
     * How long each contact event is kept in the recorded history the what-if replays ({@code fb_history}),
     * from its arrival: a contact received before then is skipped by a replay (and said so).
     */
    @WithDefault("P400D")
    java.time.Duration historyRetention();

    /** The what-if replay ({@code POST /insights/what-if}). */
    WhatIf whatIf();

    interface WhatIf {
        /** Replays running at once in this instance; one more is refused with 429 and {@code Retry-After}. */
        @WithDefault("1")
        int concurrency();

        /** How long one replay may run; then it stops, {@code timed-out}, with its progress. */
        @WithDefault("PT5M")
        java.time.Duration budget();
    }
}
