package dev.pledge.sla.messaging;

import dev.pledge.sla.service.TimerClock;
import io.smallrye.common.annotation.Identifier;
import io.smallrye.reactive.messaging.kafka.KafkaConsumerRebalanceListener;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Collection;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;

/** The timers of a contact-events partition belong to the instance the group assigned it to. */
@ApplicationScoped
@Identifier("sla-partition-ownership")
public class PartitionOwnership implements KafkaConsumerRebalanceListener {
    private final TimerClock clock;

    public PartitionOwnership(TimerClock clock) {
        this.clock = clock;
    }

    @Override
    public void onPartitionsAssigned(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        clock.own(partitions.stream().map(TopicPartition::partition).toList());
    }

    @Override
    public void onPartitionsRevoked(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        clock.disown(partitions.stream().map(TopicPartition::partition).toList());
    }

    @Override
    public void onPartitionsLost(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        clock.disown(partitions.stream().map(TopicPartition::partition).toList());
    }
}
