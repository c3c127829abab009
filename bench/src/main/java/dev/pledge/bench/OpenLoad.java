package dev.pledge.bench;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongFunction;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * An open-model load generator: requests leave at a fixed arrival rate whether or not earlier ones
 * have been answered, and each latency is taken from the request's <em>intended</em> send time, so a
 * stalled server shows in the figures instead of slowing the generator down (no coordinated omission).
 * Latencies go to an HdrHistogram (microseconds, 3 significant digits).
 */
final class OpenLoad implements AutoCloseable {
    /**
     * What one request is: a path and a body; {@code onAnswer} sees the status and body of its answer. A
     * request function may answer null at a tick: nothing is sent then, and nothing counted.
     */
    record Request(String path, Map<String, String> headers, Buffer body, Answer onAnswer) {
    }

    @FunctionalInterface
    interface Answer {
        void answered(int status, Buffer body, long answeredAtNanos);
    }

    /** One run at one rate: what was offered and achieved, and latency percentiles in milliseconds. */
    record Step(double offeredPerSecond, double achievedPerSecond, long sent, long answered2xx, long failed,
            Map<Integer, Long> statuses, double p25Ms, double p50Ms, double p75Ms, double p90Ms, double p99Ms,
            double p999Ms, double maxMs) {

        boolean meets(double p99LimitMs) {
            return failed == 0 && p99Ms <= p99LimitMs && achievedPerSecond >= offeredPerSecond * 0.95;
        }
    }

    private final Vertx vertx;
    /** The requests of the last step still unanswered when it gave up waiting for them. */
    volatile List<Request> unanswered = List.of();
    private final HttpClient client;
    private final Context context;

    OpenLoad(String baseUrl, int connections) {
        URI uri = URI.create(baseUrl);
        vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
        client = vertx.createHttpClient(new HttpClientOptions().setDefaultHost(uri.getHost())
                        .setDefaultPort(uri.getPort()).setKeepAlive(true).setConnectTimeout(5_000),
                new PoolOptions().setHttp1MaxSize(connections).setMaxWaitQueueSize(-1));
        context = vertx.getOrCreateContext();
    }

    /**
     * Sends at {@code rate} per second for {@code warmup + measure}; only requests intended during
     * {@code measure} are counted. Waits up to 30 s for the last answers.
     */
    Step run(double rate, Duration warmup, Duration measure, LongFunction<Request> requests) throws InterruptedException {
        Recorder recorder = new Recorder(3);
        AtomicLong ok = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        Map<Long, Request> pending = new ConcurrentHashMap<>();
        AtomicReference<String> firstFailure = new AtomicReference<>();
        Map<Integer, Long> statuses = new TreeMap<>();
        long interval = (long) (1_000_000_000L / rate);
        long start = System.nanoTime() + 10_000_000L;
        long measureFrom = start + warmup.toNanos();
        long end = measureFrom + measure.toNanos();
        long sent = 0;
        boolean skipped = false;
        long[] lastCounted = {0};
        for (long i = 0; ; i++) {
            long intended = start + i * interval;
            if (intended >= end) {
                break;
            }
            long wait = intended - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            Request r = requests.apply(i);
            if (r == null) {
                skipped = true; // nothing to send at this tick (a stream of follow-ups, none due yet)
                continue;
            }
            boolean counted = intended >= measureFrom;
            if (counted) {
                sent++;
            }
            long index = i;
            pending.put(index, r);
            RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setURI(r.path())
                    .setIdleTimeout(30_000);
            r.headers().forEach(options::addHeader);
            // Sent from the client's event loop. Sent from this thread, the callbacks could be registered after
            // the response had arrived, and its body was then never read: 1 to 4 requests in 70,000 stayed
            // unanswered although intake had stored them and ended their responses (seen 2026-12-04).
            context.runOnContext(v -> client.request(options)
                    .compose(req -> req.send(r.body()))
                    .compose(resp -> resp.body().map(b -> {
                        long now = System.nanoTime();
                        if (r.onAnswer() != null) {
                            r.onAnswer().answered(resp.statusCode(), b, now);
                        }
                        if (counted) {
                            recorder.recordValue(Math.max(1, (now - intended) / 1_000));
                            synchronized (statuses) {
                                statuses.merge(resp.statusCode(), 1L, Long::sum);
                                lastCounted[0] = Math.max(lastCounted[0], now);
                            }
                            (resp.statusCode() / 100 == 2 ? ok : failed).incrementAndGet();
                        }
                        return b;
                    }))
                    .onFailure(e -> {
                        if (firstFailure.compareAndSet(null, e.toString())) {
                            BenchSupport.log("  first failure of the step: request %d, %.0f ms after its intended send: %s", index,
                                    (System.nanoTime() - intended) / 1e6, e);
                        }
                        if (counted) {
                            failed.incrementAndGet();
                            synchronized (statuses) {
                                statuses.merge(-1, 1L, Long::sum);
                            }
                        }
                    })
                    .onComplete(x -> pending.remove(index)));
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!pending.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        unanswered = List.copyOf(pending.values());
        if (!unanswered.isEmpty()) {
            BenchSupport.log("  %d request(s) unanswered 30 s after the step, e.g. %s", unanswered.size(),
                    unanswered.get(0).body().toString().substring(0, Math.min(300, unanswered.get(0).body().length())));
        }
        Histogram h = recorder.getIntervalHistogram();
        double seconds = measure.toNanos() / 1e9;
        // With ticks left out, what was offered is what was sent.
        return new Step(skipped ? sent / seconds : rate, ok.get() / seconds, sent, ok.get(), failed.get() + (sent - ok.get() - failed.get()),
                Map.copyOf(statuses), ms(h, 25), ms(h, 50), ms(h, 75), ms(h, 90), ms(h, 99), ms(h, 99.9),
                h.getTotalCount() == 0 ? -1 : h.getMaxValue() / 1000.0);
    }

    /** A percentile in milliseconds, -1 when nothing was recorded. */
    static double ms(Histogram h, double percentile) {
        return h.getTotalCount() == 0 ? -1 : h.getValueAtPercentile(percentile) / 1000.0;
    }

    @Override
    public void close() {
        client.close();
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }
}
