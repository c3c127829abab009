package dev.pledge.intake;

import dev.pledge.events.Channel;
import dev.pledge.events.ContactStatus;
import dev.pledge.events.Priority;
import jakarta.persistence.AttributeConverter;
import jakarta.persistence.Converter;

/** Enums are stored by their wire names, so the database reads like the events. */
final class WireConverters {

    @Converter
    static class ChannelConverter implements AttributeConverter<Channel, String> {
        public String convertToDatabaseColumn(Channel value) {
            return value == null ? null : value.wire();
        }

        public Channel convertToEntityAttribute(String value) {
            return value == null ? null : Channel.of(value);
        }
    }

    @Converter
    static class PriorityConverter implements AttributeConverter<Priority, String> {
        public String convertToDatabaseColumn(Priority value) {
            return value == null ? null : value.wire();
        }

        public Priority convertToEntityAttribute(String value) {
            return value == null ? null : Priority.of(value);
        }
    }

    @Converter
    static class StatusConverter implements AttributeConverter<ContactStatus, String> {
        public String convertToDatabaseColumn(ContactStatus value) {
            return value == null ? null : value.wire();
        }

        public ContactStatus convertToEntityAttribute(String value) {
            return value == null ? null : ContactStatus.of(value);
        }
    }

    private WireConverters() {
    }
}
