package dev.pledge.events;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** The channel a contact arrived through. On the wire in lower case with hyphens. */
public enum Channel {
    EMAIL, PHONE, CHAT, SOCIAL, WEB, SMS;

    @JsonValue
    public String wire() {
        return Wire.name(this);
    }

    @JsonCreator
    public static Channel of(String value) {
        return Wire.parse(Channel.class, value);
    }
}
