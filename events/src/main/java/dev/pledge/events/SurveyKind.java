package dev.pledge.events;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** Survey scales: CSAT 1-5, NPS 0-10, CES 1-7. On the wire in lower case with hyphens. */
public enum SurveyKind {
    CSAT, NPS, CES;

    @JsonValue
    public String wire() {
        return Wire.name(this);
    }

    @JsonCreator
    public static SurveyKind of(String value) {
        return Wire.parse(SurveyKind.class, value);
    }
}
