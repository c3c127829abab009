package dev.pledge.web;

import io.smallrye.mutiny.Uni;
import java.time.Duration;
import java.util.function.Supplier;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * Database work that a request starts runs to its end even if the client hangs up. The HTTP layer
 * cancels a request's {@code Uni} when its connection closes; cancelling Hibernate Reactive in the
 * middle of a transaction can close the connection with the transaction live, or touch the session
 * from two places at once (quarkusio/quarkus#51576, hibernate-reactive#2926; seen here under load as
 * "possible non-threadsafe access to session", after which the pool ran dry and intake stopped
 * answering). Whether a contact is accepted must not depend on when a client gave up either.
 *
 * <p>A request is answered within {@code pledge.http.request-timeout} (10 s) all the same: when the database
 * does not answer (frozen, a network partition that drops packets), the client gets 503 with
 * {@code Retry-After} ({@link TimedOut}) instead of a connection held open, while the work itself goes on
 * and may still complete; a retry with the same {@code Idempotency-Key} then finds its outcome.
 */
public final class Completion {
    private static volatile Duration timeout;

    /** The request was not answered in time; its work may still complete. Answered 503 by {@link ProblemMappers}. */
    public static final class TimedOut extends RuntimeException {
        TimedOut(Duration after) {
            super("no answer from the database within " + after.toMillis() + " ms");
        }
    }

    /**
     * Subscribes to the work once, on the caller's context, and never passes a cancellation on; fails with
     * {@link TimedOut} if it has not completed within the request timeout.
     */
    public static <T> Uni<T> regardlessOfClient(Supplier<Uni<T>> work) {
        return regardlessOfClient(work, requestTimeout());
    }

    /** As {@link #regardlessOfClient(Supplier)}, with a longer budget for work that is known to take long. */
    public static <T> Uni<T> regardlessOfClient(Supplier<Uni<T>> work, Duration within) {
        return Uni.createFrom().<T>emitter(emitter -> work.get().subscribe().with(emitter::complete, emitter::fail))
                .ifNoItem().after(within).failWith(() -> new TimedOut(within));
    }

    /** {@code pledge.http.request-timeout}, read once. */
    public static Duration requestTimeout() {
        Duration d = timeout;
        if (d == null) {
            d = ConfigProvider.getConfig().getOptionalValue("pledge.http.request-timeout", Duration.class)
                    .orElse(Duration.ofSeconds(10));
            timeout = d;
        }
        return d;
    }

    private Completion() {
    }
}
