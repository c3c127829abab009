package dev.pledge.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Pins the JSON of every event type against {@code samples/<ce_type>.json}. */
class EventJsonTest {

    @ParameterizedTest
    @EnumSource(EventType.class)
    void jsonOfEveryTypeMatchesItsSample(EventType type) throws IOException {
        PledgeEvent event = Samples.all().get(type);
        assertThat(event).as("a sample for %s", type).isNotNull();
        assertThat(event.type()).isEqualTo(type);

        String pinned = Samples.json(type);
        JsonNode written = EventJson.mapper().readTree(EventJson.toJson(event));
        assertThat(written).isEqualTo(EventJson.mapper().readTree(pinned));
        assertThat(EventJson.fromJson(type.ceType(), pinned.getBytes(StandardCharsets.UTF_8))).isEqualTo(event);
    }

    @ParameterizedTest
    @EnumSource(EventType.class)
    void ceTypeIsPledgeNounVerbOnItsTopic(EventType type) {
        assertThat(type.ceType()).matches("pledge\\.[a-z]+\\.[a-z-]+");
        assertThat(Topics.ALL).contains(type.topic());
        assertThat(EventType.of(type.ceType())).isSameAs(type);
    }

    @Test
    void aMissingOrUnknownCeTypeIsAnIllegalArgumentNotANullPointer() {
        assertThatThrownBy(() -> EventType.of((String) null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> EventType.of("pledge.contact.teleported")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void unknownFieldsAreIgnoredSoAdditiveChangesAreSafe() {
        String json = "{\"contactId\":\"c-1\",\"occurredAt\":\"2026-01-01T00:00:00Z\",\"newField\":42}";
        assertThat(EventJson.fromJson(json, ContactEvent.CustomerReplied.class))
                .isEqualTo(new ContactEvent.CustomerReplied("c-1", Instant.parse("2026-01-01T00:00:00Z")));
    }

    @Test
    void enumsTravelInLowerCaseWithHyphens() {
        assertThat(EventJson.toJson(new ContactEvent.StatusChanged("c-1", ContactStatus.OPEN, ContactStatus.ON_HOLD,
                null, Instant.EPOCH))).contains("\"to\":\"on-hold\"").doesNotContain("changedBy");
        assertThatThrownBy(() -> Channel.of("fax")).hasMessageContaining("unknown Channel 'fax'");
    }

    @Test
    void subjectIsTheRecordKey() {
        Map<EventType, PledgeEvent> all = Samples.all();
        assertThat(all.get(EventType.CONTACT_RECEIVED).key()).isEqualTo(Samples.C);
        assertThat(all.get(EventType.CRISIS_DECLARED).key()).isEqualTo("delivery");
        assertThat(all.get(EventType.POLICY_PUBLISHED).key()).isEqualTo(Topics.policyKey(((PolicyPublished) all.get(EventType.POLICY_PUBLISHED)).version()));
    }

    @Test
    void statusTransitions() {
        assertThat(ContactStatus.OPEN.canMoveTo(ContactStatus.PENDING)).isTrue();
        assertThat(ContactStatus.OPEN.canMoveTo(ContactStatus.OPEN)).isFalse();
        assertThat(ContactStatus.CLOSED.canMoveTo(ContactStatus.OPEN)).isFalse();
        assertThat(ContactStatus.CLOSED.canMoveTo(ContactStatus.REOPENED)).isTrue();
        assertThat(ContactStatus.OPEN.canMoveTo(ContactStatus.REOPENED)).isFalse();
    }

}
