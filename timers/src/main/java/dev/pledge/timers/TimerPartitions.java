package dev.pledge.timers;

import io.smallrye.common.annotation.Identifier;
import io.smallrye.reactive.messaging.kafka.KafkaConsumerRebalanceListener;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;

/**
 * Timers belong to the instance the consumer group assigned their partition to. A service names this
 * listener on the channel whose partitions key its timers:
 * {@code mp.messaging.incoming.<channel>.consumer-rebalance-listener.name=pledge-timer-partitions},
 * and {@link #register}s each engine.
 */
@ApplicationScoped
@Identifier(TimerPartitions.NAME)
public class TimerPartitions implements KafkaConsumerRebalanceListener {
    public static final String NAME = "pledge-timer-partitions";

    private final List<TimerEngine<?>> engines = new CopyOnWriteArrayList<>();

    public void register(TimerEngine<?> engine) {
        engines.add(engine);
    }

    @Override
    public void onPartitionsAssigned(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        List<Integer> numbers = numbers(partitions);
        engines.forEach(e -> e.own(numbers));
    }

    @Override
    public void onPartitionsRevoked(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        List<Integer> numbers = numbers(partitions);
        engines.forEach(e -> e.disown(numbers));
    }

    @Override
    public void onPartitionsLost(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        onPartitionsRevoked(consumer, partitions);
    }

    private static List<Integer> numbers(Collection<TopicPartition> partitions) {
        return partitions.stream().map(TopicPartition::partition).toList();
    }
}
