package dev.pledge.events;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** How urgent a contact is. On the wire in lower case with hyphens. */
public enum Priority {
    LOW, NORMAL, HIGH, URGENT;

    @JsonValue
    public String wire() {
        return Wire.name(this);
    }

    @JsonCreator
    public static Priority of(String value) {
        return Wire.parse(Priority.class, value);
    }
}
