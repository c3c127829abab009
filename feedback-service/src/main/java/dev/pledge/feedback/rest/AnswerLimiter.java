package dev.pledge.feedback.rest;

import dev.pledge.feedback.config.FeedbackConfig;
import dev.pledge.web.Problem;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.Response;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code POST /feedback} is open to anyone holding a link: at most {@code pledge.feedback.answers-per-minute}
 * requests a minute from one client address (fixed one-minute windows, counted in this instance; behind
 * several instances the limit is per instance). Refused requests answer 429 with {@code Retry-After}.
 */
@ApplicationScoped
public class AnswerLimiter {
    /** Addresses tracked at most; beyond it, windows that ended are dropped first. */
    private static final int MAX_ADDRESSES = 100_000;

    private record Window(long minute, int count) {
    }

    private final Map<String, Window> windows = new ConcurrentHashMap<>();
    private final int perMinute;

    public AnswerLimiter(FeedbackConfig config) {
        this.perMinute = config.answersPerMinute();
    }

    /** Counts a request from this address: 0 if admitted, else the seconds until it may try again. */
    public long retryAfter(String address) {
        long now = System.currentTimeMillis();
        long minute = now / 60_000;
        if (windows.size() > MAX_ADDRESSES) {
            windows.values().removeIf(w -> w.minute() < minute);
        }
        Window w = windows.compute(address, (a, old) -> old == null || old.minute() != minute ? new Window(minute, 1)
                : new Window(minute, old.count() + 1));
        return w.count() <= perMinute ? 0 : Math.max(1, ((minute + 1) * 60_000 - now + 999) / 1000);
    }

    /** The refusal: 429, problem+json, {@code Retry-After}. */
    public Response refusal(long retryAfter, String path) {
        return Response.fromResponse(Problem.of(Response.Status.TOO_MANY_REQUESTS, "rate-limited", "at most "
                + perMinute + " answers a minute are accepted from one address; try again in " + retryAfter + " s")
                .at(path).toResponse()).header("Retry-After", retryAfter).build();
    }
}
