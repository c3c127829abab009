package dev.pledge.outbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pledge.events.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.Test;

class OutboxTest {

    @Test
    void anEventProducedTwiceGetsTheSameIdAndAnotherEventAnother() {
        UUID first = Outbox.idOf("c-1", "first-response", 1, "breached");
        assertThat(Outbox.idOf("c-1", "first-response", 1, "breached")).isEqualTo(first);
        assertThat(Outbox.idOf("c-1", "first-response", 2, "breached")).isNotEqualTo(first);
        assertThat(Outbox.idOf("c-1", "first-response", 1, "warning")).isNotEqualTo(first);
        // parts are separated: ("ab", "c") is not ("a", "bc")
        assertThat(Outbox.idOf("ab", "c")).isNotEqualTo(Outbox.idOf("a", "bc"));
    }

    @Test
    void aRowIsPublishedWithItsPayloadAsValueAndItsCloudEventsAttributesAsHeaders() {
        UUID id = UUID.randomUUID();
        Instant at = Instant.parse("2026-12-05T09:30:00.123456Z");

        ProducerRecord<String, String> record = OutboxRelay.record(Topics.CONTACT_EVENTS, "c-1", "{\"contactId\":\"c-1\"}",
                id, "pledge.contact.received", at, "/pledge/intake-service");

        assertThat(record.topic()).isEqualTo(Topics.CONTACT_EVENTS);
        assertThat(record.key()).isEqualTo("c-1");
        assertThat(record.value()).isEqualTo("{\"contactId\":\"c-1\"}");
        Map<String, String> headers = new HashMap<>();
        for (Header h : record.headers()) {
            headers.put(h.key(), new String(h.value(), StandardCharsets.UTF_8));
        }
        assertThat(headers).containsEntry("ce_specversion", "1.0").containsEntry("ce_id", id.toString())
                .containsEntry("ce_type", "pledge.contact.received").containsEntry("ce_source", "/pledge/intake-service")
                .containsEntry("ce_time", "2026-12-05T09:30:00.123456Z").containsEntry("ce_subject", "c-1")
                .containsEntry("content-type", "application/json");
    }

    @Test
    void rowsTheBrokerRefusesForGoodAreParkedAndTheRestWait() {
        // parked: it would fail again, and must not block the rows behind it
        assertThat(OutboxRelay.isRetriable(new RecordTooLargeException("too large"))).isFalse();
        assertThat(OutboxRelay.isRetriable(new TopicAuthorizationException("denied"))).isFalse();
        // waits: the broker is away or moving, the row goes once it is back
        assertThat(OutboxRelay.isRetriable(new TimeoutException("no answer"))).isTrue();
        assertThat(OutboxRelay.isRetriable(new NotLeaderOrFollowerException("moving"))).isTrue();
        assertThat(OutboxRelay.isRetriable(new IllegalStateException("closed"))).isTrue();
    }
}
