package dev.pledge.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordBatchMetadata;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.Metadata;
import org.junit.jupiter.api.Test;

/**
 * How the channel's subscriber groups polls into transactions, against hand-made polls and a
 * transaction the test completes (the transaction itself runs over Kafka and PostgreSQL in the
 * services' ITs): polls that arrive during a transaction go together into the next one, whole and in
 * order, up to the limit; a poll is acknowledged only after its transaction completed.
 */
class ChannelSubscriberTest {
    static final TopicPartition PARTITION = new TopicPartition("contact-events", 0);

    final List<List<Long>> transactions = new ArrayList<>();
    final List<CompletableFuture<Void>> running = new ArrayList<>();
    final List<String> outcomes = new ArrayList<>();
    long requested;
    boolean cancelled;
    long nextOffset;

    final List<Long> read = new ArrayList<>();

    ChannelSubscriber<ConsumerRecord<String, String>> subscriber(int maxEvents) {
        ChannelSubscriber<ConsumerRecord<String, String>> s = new ChannelSubscriber<>(record -> {
            read.add(record.offset());
            return record;
        }, (records, context) -> {
            transactions.add(records.stream().map(ConsumerRecord::offset).toList());
            CompletableFuture<Void> tx = new CompletableFuture<>();
            running.add(tx);
            return Uni.createFrom().completionStage(tx);
        }, maxEvents);
        subscribe(s);
        return s;
    }

    /** A poll of {@code n} records with the next offsets; its ack and nack are recorded by its first offset. */
    Message<?> poll(int n) {
        long first = nextOffset;
        List<ConsumerRecord<String, String>> records = IntStream.range(0, n)
                .mapToObj(i -> new ConsumerRecord<String, String>(PARTITION.topic(), 0, nextOffset++, "k", "v")).toList();
        var metadata = new IncomingKafkaRecordBatchMetadata<>(new ConsumerRecords<>(Map.of(PARTITION, records)),
                "events", Map.of());
        return Message.of(records.stream().map(ConsumerRecord::value).toList(), Metadata.of(metadata),
                () -> {
                    outcomes.add("ack " + first);
                    return CompletableFuture.completedFuture(null);
                },
                failure -> {
                    outcomes.add("nack " + first);
                    return CompletableFuture.completedFuture(null);
                });
    }

    @Test
    void pollsThatArriveDuringATransactionGoTogetherIntoTheNextAndAreAcknowledgedAfterIt() {
        ChannelSubscriber<ConsumerRecord<String, String>> s = subscriber(1000);
        assertThat(requested).isEqualTo(1);

        s.onNext(poll(2)); // offsets 0-1: applied at once
        assertThat(transactions).containsExactly(List.of(0L, 1L));
        s.onNext(poll(3)); // 2-4, 5, 6-7: wait for the first transaction
        s.onNext(poll(1));
        s.onNext(poll(2));
        assertThat(requested).as("keeps asking while it waits").isEqualTo(5);
        assertThat(transactions).hasSize(1);
        assertThat(outcomes).isEmpty();

        running.get(0).complete(null);
        assertThat(outcomes).containsExactly("ack 0");
        assertThat(transactions).hasSize(2);
        assertThat(transactions.get(1)).containsExactly(2L, 3L, 4L, 5L, 6L, 7L);

        running.get(1).complete(null);
        assertThat(outcomes).containsExactly("ack 0", "ack 2", "ack 5", "ack 6");
        s.onNext(poll(1)); // nothing running: applied at once
        assertThat(transactions.get(2)).containsExactly(8L);
    }

    @Test
    void aTransactionTakesWholePollsUpToTheLimitAndTheSubscriberStopsAskingAtIt() {
        ChannelSubscriber<ConsumerRecord<String, String>> s = subscriber(5);
        s.onNext(poll(1)); // 0, running
        s.onNext(poll(3)); // 1-3
        s.onNext(poll(3)); // 4-6: 6 waiting, at the limit
        assertThat(requested).as("no more while the limit is waiting").isEqualTo(3);

        running.get(0).complete(null);
        assertThat(transactions.get(1)).as("the second poll would pass the limit").containsExactly(1L, 2L, 3L);
        assertThat(requested).isEqualTo(4);
        running.get(1).complete(null);
        assertThat(transactions.get(2)).containsExactly(4L, 5L, 6L);

        s.onNext(poll(7)); // larger than the limit on its own: still applied, whole
        running.get(2).complete(null);
        assertThat(transactions.get(3)).hasSize(7);
    }

    @Test
    void anApplyThatThrowsAtOnceIsAFailedTransactionNotAStuckChannel() {
        ChannelSubscriber<ConsumerRecord<String, String>> s = new ChannelSubscriber<>(record -> record, (records, context) -> {
            throw new NullPointerException("a bug before the transaction began");
        }, 1000);
        subscribe(s);
        s.onNext(poll(1));

        assertThat(outcomes).containsExactly("nack 0");
        assertThat(cancelled).as("the channel stops loudly instead of waiting for ever").isTrue();
    }

    @Test
    void recordsAreReadWhenTheirPollArrivesWhileTheTransactionBeforeRunsAndPassedOverOnesAreLeftOut() {
        List<List<Long>> applied = new ArrayList<>();
        ChannelSubscriber<Long> s = new ChannelSubscriber<>(record -> {
            read.add(record.offset());
            return record.offset() % 2 == 0 ? record.offset() : null; // odd offsets: a type newer than the service
        }, (offsets, context) -> {
            applied.add(offsets);
            CompletableFuture<Void> tx = new CompletableFuture<>();
            running.add(tx);
            return Uni.createFrom().completionStage(tx);
        }, 1000);
        subscribe(s);
        s.onNext(poll(1)); // 0: applied at once
        s.onNext(poll(3)); // 1-3: arrives while the first transaction runs

        assertThat(read).as("read on arrival, before the first transaction completed").containsExactly(0L, 1L, 2L, 3L);
        running.get(0).complete(null);
        assertThat(applied).containsExactly(List.of(0L), List.of(2L));
        running.get(1).complete(null);
        assertThat(outcomes).as("a poll is acknowledged whole, passed-over records too").containsExactly("ack 0", "ack 1");
    }

    @Test
    void aReadThatThrowsNacksThePollAndThoseWaitingAndStopsTheChannel() {
        ChannelSubscriber<ConsumerRecord<String, String>> s = new ChannelSubscriber<>(record -> {
            if (record.offset() == 2) {
                throw new IllegalStateException("a bug in reading");
            }
            return record;
        }, (records, context) -> {
            CompletableFuture<Void> tx = new CompletableFuture<>();
            running.add(tx);
            return Uni.createFrom().completionStage(tx);
        }, 1000);
        subscribe(s);
        s.onNext(poll(1)); // 0: running
        s.onNext(poll(1)); // 1: waiting
        s.onNext(poll(1)); // 2: cannot be read

        assertThat(outcomes).containsExactly("nack 1", "nack 2");
        assertThat(cancelled).isTrue();
        running.get(0).complete(null);
        assertThat(outcomes).as("the transaction that ran commits and its poll is acknowledged")
                .containsExactly("nack 1", "nack 2", "ack 0");
        assertThat(running).hasSize(1);
    }

    void subscribe(ChannelSubscriber<?> s) {
        s.onSubscribe(new Flow.Subscription() {
            public void request(long n) {
                requested += n;
            }

            public void cancel() {
                cancelled = true;
            }
        });
    }

    @Test
    void aTransactionThatFailsNacksItsPollsAndThoseWaitingAndStopsTheChannel() {
        ChannelSubscriber<ConsumerRecord<String, String>> s = subscriber(1000);
        s.onNext(poll(1));
        s.onNext(poll(1));
        running.get(0).completeExceptionally(new IllegalStateException("dead-letter topic unreachable"));

        assertThat(outcomes).containsExactly("nack 0", "nack 1");
        assertThat(cancelled).isTrue();
        s.onNext(poll(1));
        assertThat(transactions).hasSize(1);
    }
}
