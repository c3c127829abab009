package dev.pledge.events;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** Lifecycle status of a contact. On the wire in lower case with hyphens. */
public enum ContactStatus {
    OPEN, PENDING, ON_HOLD, RESOLVED, CLOSED, REOPENED;

    @JsonValue
    public String wire() {
        return Wire.name(this);
    }

    /** Whether a contact in this status may move to {@code next}; the same status is never a move. */
    public boolean canMoveTo(ContactStatus next) {
        return switch (this) {
            case OPEN, PENDING, ON_HOLD, REOPENED -> next != this && next != REOPENED;
            case RESOLVED -> next == CLOSED || next == REOPENED;
            case CLOSED -> next == REOPENED;
        };
    }

    /** Resolved and closed contacts are done until reopened. */
    public boolean isDone() {
        return this == RESOLVED || this == CLOSED;
    }

    @JsonCreator
    public static ContactStatus of(String value) {
        return Wire.parse(ContactStatus.class, value);
    }
}
