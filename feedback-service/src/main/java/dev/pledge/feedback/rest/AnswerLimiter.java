package dev.pledge.feedback.rest;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.pledge.feedback.config.FeedbackConfig;
import dev.pledge.web.Problem;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.Response;
import java.time.Duration;

/**
 * {@code POST /feedback} is open to anyone holding a link: at most {@code pledge.feedback.answers-per-minute}
 * requests a minute from one client address ({@link ClientAddresses}; fixed one-minute windows, counted in
 * this instance; behind several instances the limit is per instance). Refused requests answer 429 with
 * {@code Retry-After}. The windows live in a Caffeine cache bounded in size and dropped two minutes after
 * their last request, so no stream of addresses grows the heap.
 */
@ApplicationScoped
public class AnswerLimiter {
    /** Addresses tracked at most (about 100 bytes each); beyond it the least used are dropped. */
    static final int MAX_ADDRESSES = 100_000;

    /** One address's count in one minute. */
    private static final class Window {
        long minute;
        int count;
    }

    private final Cache<String, Window> windows = Caffeine.newBuilder().maximumSize(MAX_ADDRESSES)
            .expireAfterAccess(Duration.ofMinutes(2)).build();
    private final int perMinute;

    @Inject
    public AnswerLimiter(FeedbackConfig config) {
        this(config.answersPerMinute());
    }

    AnswerLimiter(int perMinute) {
        this.perMinute = perMinute;
    }

    /** Counts a request from this address: 0 if admitted, else the seconds until it may try again. */
    public long retryAfter(String address) {
        long now = System.currentTimeMillis();
        long minute = now / 60_000;
        Window w = windows.get(address, a -> new Window());
        int count;
        synchronized (w) {
            if (w.minute != minute) {
                w.minute = minute;
                w.count = 0;
            }
            count = ++w.count;
        }
        return count <= perMinute ? 0 : Math.max(1, ((minute + 1) * 60_000 - now + 999) / 1000);
    }

    /** Addresses tracked now (for tests and the curious). */
    long tracked() {
        windows.cleanUp();
        return windows.estimatedSize();
    }

    /** The refusal: 429, problem+json, {@code Retry-After}. */
    public Response refusal(long retryAfter, String path) {
        return Response.fromResponse(Problem.of(Response.Status.TOO_MANY_REQUESTS, "rate-limited", "at most "
                + perMinute + " answers a minute are accepted from one address; try again in " + retryAfter + " s")
                .at(path).toResponse()).header("Retry-After", retryAfter).build();
    }
}
