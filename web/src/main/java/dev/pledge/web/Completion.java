package dev.pledge.web;

import io.smallrye.mutiny.Uni;
import java.util.function.Supplier;

/**
 * Database work that a request starts runs to its end even if the client hangs up. The HTTP layer
 * cancels a request's {@code Uni} when its connection closes; cancelling Hibernate Reactive in the
 * middle of a transaction can close the connection with the transaction live, or touch the session
 * from two places at once (quarkusio/quarkus#51576, hibernate-reactive#2926; seen here under load as
 * "possible non-threadsafe access to session", after which the pool ran dry and intake stopped
 * answering). Whether a contact is accepted must not depend on when a client gave up either.
 */
public final class Completion {

    /** Subscribes to the work once, on the caller's context, and never passes a cancellation on. */
    public static <T> Uni<T> regardlessOfClient(Supplier<Uni<T>> work) {
        return Uni.createFrom().emitter(emitter -> work.get().subscribe().with(emitter::complete, emitter::fail));
    }

    private Completion() {
    }
}
