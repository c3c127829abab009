package dev.pledge.consumer;

import dev.pledge.events.PledgeEvent;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/** An event read from a Kafka record: its {@code ce_id}, payload, and where it came from. */
public record EventRecord(String eventId, PledgeEvent event, ConsumerRecord<String, String> record) {

    public int partition() {
        return record.partition();
    }

    public String topic() {
        return record.topic();
    }

    @Override
    public String toString() {
        return record.topic() + "-" + record.partition() + "@" + record.offset() + " " + event.type().ceType()
                + " " + eventId;
    }
}
