package dev.pledge.consumer;

import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordBatchMetadata;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Flow;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

/**
 * A batch channel's subscriber: every transaction takes all the polls that arrived while the one
 * before it ran, up to {@code pledge.consumer.max-transaction-events}. A poll's records are read
 * (parsed) when it arrives, so that reading the next transaction's events happens while the one
 * before it waits on the database, not after it.
 *
 * <p>Why not a method taking one poll: the connector polls Kafka all the time and queues each poll as
 * one batch, so under load a method called per batch runs one transaction per small poll while
 * several polls wait behind it, and an event is four or five transactions old when its own commits.
 * Here the subscriber keeps asking for polls while a transaction runs (so the connector's queue
 * drains into this one) and applies all of them in the next transaction: an event waits for at most
 * the transaction running when it arrived and its own.
 *
 * <p>Offsets: each poll is acknowledged after the transaction that applied it committed (or after its
 * failing records were dead-lettered), in order; if that cannot be done the polls are nacked and the
 * channel fails, as the {@code failure-strategy=fail} of every service says. All state here is touched
 * on the channel's Vert.x context only.
 */
final class ChannelSubscriber<T> implements Flow.Subscriber<Message<?>> {
    private static final Logger LOG = Logger.getLogger(ChannelSubscriber.class);

    private final Function<ConsumerRecord<String, String>, T> read;
    private final BiFunction<List<T>, Context, Uni<Void>> apply;
    private final int maxEvents;
    private final ArrayDeque<Poll<T>> waiting = new ArrayDeque<>();
    private int waitingEvents;
    private Flow.Subscription subscription;
    private Context context;
    private boolean requested;
    private boolean applying;
    private boolean failed;

    /**
     * @param read what a record is read into when its poll arrives (null: passed over); it must not throw
     * @param apply applies what the waiting polls' records were read into, in record order
     */
    ChannelSubscriber(Function<ConsumerRecord<String, String>, T> read, BiFunction<List<T>, Context, Uni<Void>> apply,
            int maxEvents) {
        this.read = read;
        this.apply = apply;
        this.maxEvents = maxEvents;
    }

    /** A poll as it arrived, its records read. */
    private record Poll<T>(Message<?> message, int records, List<T> read) {
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
        subscription = s;
        requestMore();
    }

    @Override
    public void onNext(Message<?> poll) {
        if (failed) {
            return; // cancelled: the channel is stopping
        }
        if (context == null) {
            context = Vertx.currentContext();
        }
        requested = false;
        IncomingKafkaRecordBatchMetadata<String, String> records = records(poll);
        List<T> reads = new ArrayList<>();
        try {
            for (ConsumerRecord<String, String> record : records.getRecords()) {
                T r = read.apply(record);
                if (r != null) {
                    reads.add(r);
                }
            }
        } catch (RuntimeException e) {
            LOG.errorf(e, "could not read a poll of %d record(s); the channel stops", records.count());
            fail(e, List.of(), List.of(poll));
            return;
        }
        waiting.add(new Poll<>(poll, records.count(), reads));
        waitingEvents += records.count();
        if (!applying) {
            applyWaiting();
        }
        requestMore();
    }

    /** One poll at a time, while fewer events than a transaction takes are waiting. */
    private void requestMore() {
        if (!requested && !failed && waitingEvents < maxEvents) {
            requested = true;
            subscription.request(1);
        }
    }

    private void applyWaiting() {
        if (waiting.isEmpty() || failed) {
            applying = false;
            return;
        }
        applying = true;
        List<Message<?>> polls = new ArrayList<>();
        List<T> reads = new ArrayList<>();
        int events = 0;
        // whole polls only, at least one, up to maxEvents
        while (!waiting.isEmpty() && (polls.isEmpty() || events + waiting.peek().records() <= maxEvents)) {
            Poll<T> poll = waiting.poll();
            polls.add(poll.message());
            reads.addAll(poll.read());
            events += poll.records();
        }
        waitingEvents -= events;
        int taken = events;
        // deferred: a bug that throws before the transaction began fails it, instead of leaving it pending for ever
        Uni.createFrom().deferred(() -> apply.apply(reads, context)).subscribe().with(
                ignored -> onContext(() -> {
                    polls.forEach(Message::ack);
                    applyWaiting();
                    requestMore();
                }),
                failure -> onContext(() -> {
                    LOG.errorf(failure, "could not apply or set aside %d event(s); the channel stops", taken);
                    fail(failure, polls, List.of());
                }));
    }

    /** Nacks the polls, those waiting and any not yet queued, and cancels: the channel stops. */
    private void fail(Throwable failure, List<Message<?>> polls, List<Message<?>> notQueued) {
        failed = true;
        polls.forEach(p -> p.nack(failure));
        waiting.forEach(p -> p.message().nack(failure));
        notQueued.forEach(p -> p.nack(failure));
        waiting.clear();
        subscription.cancel();
    }

    private void onContext(Runnable task) {
        if (context == null || Vertx.currentContext() == context) {
            task.run();
        } else {
            context.runOnContext(ignored -> task.run());
        }
    }

    @SuppressWarnings("unchecked")
    private static IncomingKafkaRecordBatchMetadata<String, String> records(Message<?> poll) {
        return poll.getMetadata(IncomingKafkaRecordBatchMetadata.class).orElseThrow(() -> new IllegalStateException(
                "not a Kafka batch: set mp.messaging.incoming.<channel>.batch=true"));
    }

    @Override
    public void onError(Throwable failure) {
        LOG.errorf(failure, "the channel failed; %d poll(s) were waiting", waiting.size());
    }

    @Override
    public void onComplete() {
        LOG.debug("the channel completed");
    }
}
