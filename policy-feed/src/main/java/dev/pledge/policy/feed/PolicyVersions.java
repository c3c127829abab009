package dev.pledge.policy.feed;

import dev.pledge.policy.Policy;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * The policy versions known here, by number, and the work waiting for one not known yet: a version
 * asked for is waited for at most {@code awaitTimeout}, counted from the first time anyone asked for
 * it (a batch of events naming one missing version waits once), then fails with
 * {@link UnknownPolicyVersion}. No I/O: {@link PolicyFeed} reads the topic and {@link #put}s.
 */
final class PolicyVersions {
    private static final Logger LOG = Logger.getLogger(PolicyVersions.class);

    private final Supplier<Duration> awaitTimeout;
    private final Map<Integer, Policy> versions = new ConcurrentHashMap<>();
    private final Map<Integer, CompletableFuture<Policy>> awaited = new ConcurrentHashMap<>();
    private final Map<Integer, Instant> awaitedSince = new ConcurrentHashMap<>();
    private volatile int newest;

    PolicyVersions(Supplier<Duration> awaitTimeout) {
        this.awaitTimeout = awaitTimeout;
    }

    /** The newest version known; 0 before any. */
    int newest() {
        return newest;
    }

    /** The newest policy known, or null before any. */
    Policy newestPolicy() {
        return versions.get(newest);
    }

    boolean contains(int version) {
        return versions.containsKey(version);
    }

    int size() {
        return versions.size();
    }

    /** A version known here; {@link UnknownPolicyVersion} if it is not (yet). */
    Policy version(int version) {
        Policy policy = versions.get(version);
        if (policy == null) {
            throw new UnknownPolicyVersion(version, newest);
        }
        return policy;
    }

    /**
     * The version, at once if known, else once it is {@link #put}, on the caller's Vert.x context. A
     * version below 1 (an event without one reads as 0) can never come and fails at once.
     */
    Uni<Policy> await(int version) {
        if (version < 1) {
            return Uni.createFrom().failure(new UnknownPolicyVersion(version, newest));
        }
        Policy known = versions.get(version);
        if (known != null) {
            return Uni.createFrom().item(known);
        }
        Instant since = awaitedSince.computeIfAbsent(version, v -> Instant.now());
        Duration left = awaitTimeout.get().minus(Duration.between(since, Instant.now()));
        if (left.isNegative() || left.isZero()) {
            return Uni.createFrom().failure(new UnknownPolicyVersion(version, newest));
        }
        CompletableFuture<Policy> future = awaited.computeIfAbsent(version, v -> new CompletableFuture<>());
        Policy raced = versions.get(version); // stored between the first look and the future's creation
        if (raced != null) {
            return Uni.createFrom().item(raced);
        }
        LOG.infof("waiting up to %s for policy version %d (newest known: %d)", left, version, newest);
        Context context = Vertx.currentContext();
        Uni<Policy> wait = Uni.createFrom().completionStage(future).ifNoItem().after(left)
                .failWith(() -> new UnknownPolicyVersion(version, newest));
        return context == null ? wait : wait.emitOn(task -> context.runOnContext(ignored -> task.run()));
    }

    /** A version read: known from now on, and whoever waits for it goes on. */
    synchronized void put(int version, Policy policy) {
        versions.put(version, policy);
        if (version > newest) {
            newest = version;
        }
        awaitedSince.remove(version);
        CompletableFuture<Policy> waiting = awaited.remove(version);
        if (waiting != null) {
            waiting.complete(policy);
        }
    }
}
