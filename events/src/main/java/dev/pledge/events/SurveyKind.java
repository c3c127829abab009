package dev.pledge.events;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * Survey scales, each with its standard question and the direction of its scale: CSAT 1-5 (satisfied),
 * NPS 0-10 (likely to recommend), CES 2.0 1-7 (agreement that the company made it easy: higher is better,
 * as for the other two). On the wire in lower case with hyphens.
 */
public enum SurveyKind {
    CSAT(1, 5, "How satisfied are you with the help you received?"),
    NPS(0, 10, "How likely are you to recommend us to a friend or colleague?"),
    CES(1, 7, "The company made it easy for me to handle my issue. How much do you agree?");

    private final int min;
    private final int max;
    private final String question;

    SurveyKind(int min, int max, String question) {
        this.min = min;
        this.max = max;
        this.question = question;
    }

    /** The lowest answer. */
    public int min() {
        return min;
    }

    /** The highest answer: the best, on every scale here. */
    public int max() {
        return max;
    }

    /** The standard question, asked unless the policy's survey names its own. */
    public String question() {
        return question;
    }

    @JsonValue
    public String wire() {
        return Wire.name(this);
    }

    @JsonCreator
    public static SurveyKind of(String value) {
        return Wire.parse(SurveyKind.class, value);
    }
}
