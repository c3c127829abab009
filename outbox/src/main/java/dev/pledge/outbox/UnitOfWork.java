package dev.pledge.outbox;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.vertx.VertxContextSupport;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The one way a service commits work: one transaction, and after it committed, the relay is woken (the
 * events the work appended to the outbox go out now, not at the next sweep) and then {@code afterCommit}
 * runs with the work's result, e.g. to hand the timers it moved to their engine, which must see committed
 * rows. Services run their transactions here; resources and consumers only call services.
 */
@ApplicationScoped
public class UnitOfWork {
    private final OutboxRelay relay;

    public UnitOfWork(OutboxRelay relay) {
        this.relay = relay;
    }

    /** Runs {@code work} in one transaction; after commit, wakes the relay. */
    public <T> Uni<T> run(Supplier<Uni<T>> work) {
        return run(work, result -> {
        });
    }

    /** Runs {@code work} in one transaction; after commit, wakes the relay and passes the result to {@code afterCommit}. */
    public <T> Uni<T> run(Supplier<Uni<T>> work, Consumer<? super T> afterCommit) {
        return Panache.withTransaction(work).invoke(result -> {
            relay.wake();
            afterCommit.accept(result);
        });
    }

    /**
     * {@link #run(Supplier)}, waiting for it on a Vert.x context of its own: for threads that are not the
     * event loop's (timer engines), which may block.
     */
    public <T> T await(Supplier<Uni<T>> work) {
        return await(work, result -> {
        });
    }

    /** {@link #run(Supplier, Consumer)}, waiting for it, as {@link #await(Supplier)}. */
    public <T> T await(Supplier<Uni<T>> work, Consumer<? super T> afterCommit) {
        try {
            return VertxContextSupport.subscribeAndAwait(() -> run(work, afterCommit));
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }
}
