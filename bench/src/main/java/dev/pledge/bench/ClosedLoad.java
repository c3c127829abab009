package dev.pledge.bench;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongFunction;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * A closed-model load generator, as {@code wrk} is: a fixed number of requests in flight, each answer
 * sending the next. What it measures is capacity: answers a second with the server never idle for want
 * of work. {@link OpenLoad} measures latency at a given arrival rate; this one compares two request
 * paths' throughput in windows run back to back on the same server (bench/run keys).
 */
final class ClosedLoad implements AutoCloseable {

    /** One window: 2xx answers a second, failures (non-2xx or no answer), latency percentiles in ms. */
    record Window(double answeredPerSecond, long answered2xx, long failed, double p50Ms, double p99Ms, double maxMs) {
    }

    private final Vertx vertx;
    private final HttpClient client;
    private final int inFlight;

    ClosedLoad(String baseUrl, int inFlight) {
        URI uri = URI.create(baseUrl);
        this.inFlight = inFlight;
        vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
        client = vertx.createHttpClient(new HttpClientOptions().setDefaultHost(uri.getHost())
                        .setDefaultPort(uri.getPort()).setKeepAlive(true).setConnectTimeout(5_000),
                new PoolOptions().setHttp1MaxSize(inFlight).setMaxWaitQueueSize(-1));
    }

    /**
     * Keeps {@code inFlight} requests going for {@code length}; counts the answers to requests sent within it.
     * Every request function call must give a request (a closed loop has no empty ticks), and its
     * {@code onAnswer} is not called: only the status counts.
     */
    Window run(Duration length, LongFunction<OpenLoad.Request> requests) throws InterruptedException {
        Recorder recorder = new Recorder(3);
        AtomicLong ok = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        AtomicLong sequence = new AtomicLong();
        long end = System.nanoTime() + length.toNanos();
        CountDownLatch loops = new CountDownLatch(inFlight);
        var context = vertx.getOrCreateContext();
        for (int i = 0; i < inFlight; i++) {
            context.runOnContext(v -> next(requests, sequence, end, recorder, ok, failed, loops));
        }
        if (!loops.await(length.toSeconds() + 60, TimeUnit.SECONDS)) {
            throw new IllegalStateException("requests still unanswered 60 s after the window");
        }
        Histogram h = recorder.getIntervalHistogram();
        double seconds = length.toNanos() / 1e9;
        return new Window(ok.get() / seconds, ok.get(), failed.get(), OpenLoad.ms(h, 50), OpenLoad.ms(h, 99),
                h.getTotalCount() == 0 ? -1 : h.getMaxValue() / 1000.0);
    }

    private void next(LongFunction<OpenLoad.Request> requests, AtomicLong sequence, long end, Recorder recorder,
            AtomicLong ok, AtomicLong failed, CountDownLatch loops) {
        long sent = System.nanoTime();
        if (sent >= end) {
            loops.countDown();
            return;
        }
        OpenLoad.Request r = requests.apply(sequence.getAndIncrement());
        RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setURI(r.path()).setIdleTimeout(30_000);
        r.headers().forEach(options::addHeader);
        client.request(options)
                .compose(req -> req.send(r.body()))
                .compose(resp -> resp.body().map(b -> resp.statusCode()))
                .onComplete(answer -> {
                    recorder.recordValue(Math.max(1, (System.nanoTime() - sent) / 1_000));
                    (answer.succeeded() && answer.result() / 100 == 2 ? ok : failed).incrementAndGet();
                    next(requests, sequence, end, recorder, ok, failed, loops);
                });
    }

    @Override
    public void close() {
        client.close();
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }
}
