package dev.pledge.intake.service;

import io.micrometer.core.instrument.DistributionSummary;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * Requests queued for a group commit ({@link GroupCommit} for new contacts, {@link ActivityGroupCommit}
 * for activities): a request that arrives while {@code writers} groups are being written waits for the
 * next group, of at most {@code maxSize}; a writer that finishes takes what queued meanwhile. Under light
 * load a group is one request, written at once: nothing waits for company. Each request is answered on
 * the Vert.x context it came from, by its group or by the one-request path ({@link Waiting#alone}).
 *
 * @param <R> a request
 * @param <T> its answer
 */
final class Groups<R, T> {
    private final ConcurrentLinkedQueue<Waiting<R, T>> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger writing = new AtomicInteger();
    private final int writers;
    private final int maxSize;
    private final DistributionSummary sizes;
    /** Writes one group; must complete (answering its requests itself), never fail. */
    private final Function<List<Waiting<R, T>>, Uni<Void>> write;

    Groups(int writers, int maxSize, DistributionSummary sizes, Function<List<Waiting<R, T>>, Uni<Void>> write) {
        this.writers = writers;
        this.maxSize = maxSize;
        this.sizes = sizes;
        this.write = write;
    }

    /** A request waiting for its group, answered on the context it came from. */
    static final class Waiting<R, T> {
        final R request;
        private final Context context;
        private final UniEmitter<? super T> answer;

        private Waiting(R request, Context context, UniEmitter<? super T> answer) {
            this.request = request;
            this.context = context;
            this.answer = answer;
        }

        void complete(T item) {
            context.runOnContext(x -> answer.complete(item));
        }

        void fail(Throwable e) {
            context.runOnContext(x -> answer.fail(e));
        }

        /** Answered by the one-request path instead, on the request's own context (Hibernate Reactive needs it). */
        void alone(Function<R, Uni<T>> path) {
            context.runOnContext(x -> path.apply(request).subscribe().with(answer::complete, answer::fail));
        }
    }

    /** Queues the request for the next group; the item comes once its group answered it. */
    Uni<T> submit(R request) {
        return Uni.createFrom().emitter(emitter -> {
            Context context = Vertx.currentContext();
            if (context == null) {
                throw new IllegalStateException("a group commit must be subscribed on a Vert.x context");
            }
            queue.add(new Waiting<>(request, context, emitter));
            startWriting();
        });
    }

    private void startWriting() {
        while (!queue.isEmpty()) {
            int w = writing.get();
            if (w >= writers) {
                return; // a writer that finishes looks at the queue again
            }
            if (writing.compareAndSet(w, w + 1)) {
                List<Waiting<R, T>> group = new ArrayList<>();
                Waiting<R, T> p;
                while (group.size() < maxSize && (p = queue.poll()) != null) {
                    group.add(p);
                }
                if (group.isEmpty()) {
                    writing.decrementAndGet();
                    continue;
                }
                sizes.record(group.size());
                write.apply(group).subscribe().with(ignored -> done(), e -> done());
            }
        }
    }

    private void done() {
        writing.decrementAndGet();
        startWriting();
    }
}
