package dev.pledge.intake.service;

import io.micrometer.core.instrument.DistributionSummary;
import io.smallrye.mutiny.Uni;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * Requests queued for a group commit ({@link GroupCommit} for new contacts, {@link ActivityGroupCommit}
 * for activities): a request that arrives while {@code writers} groups are being written waits for the
 * next group, of at most {@code maxSize}; a writer that finishes takes what queued meanwhile. Under light
 * load a group is one request, written at once: nothing waits for company.
 *
 * @param <P> a request waiting for its group
 */
final class Groups<P> {
    private final ConcurrentLinkedQueue<P> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger writing = new AtomicInteger();
    private final int writers;
    private final int maxSize;
    private final DistributionSummary sizes;
    /** Writes one group; must complete (answering its requests itself), never fail. */
    private final Function<List<P>, Uni<Void>> write;

    Groups(int writers, int maxSize, DistributionSummary sizes, Function<List<P>, Uni<Void>> write) {
        this.writers = writers;
        this.maxSize = maxSize;
        this.sizes = sizes;
        this.write = write;
    }

    void add(P request) {
        queue.add(request);
        startWriting();
    }

    private void startWriting() {
        while (!queue.isEmpty()) {
            int w = writing.get();
            if (w >= writers) {
                return; // a writer that finishes looks at the queue again
            }
            if (writing.compareAndSet(w, w + 1)) {
                List<P> group = new ArrayList<>();
                P p;
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
