package dev.pledge.web;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;

/**
 * A period {@code [from, to)} read from query parameters, checked once for every service: ISO-8601
 * instants within what PostgreSQL's {@code timestamptz} holds (a year of -999999999 is refused with 400,
 * not met as a 500 in SQL), {@code from} before {@code to}, and no longer than the endpoint allows.
 * {@code to} defaults to now (to the second), {@code from} to {@code to} less the endpoint's default length.
 */
public record Period(Instant from, Instant to) {
    /** The range every instant parameter must fall in. */
    public static final Instant EARLIEST = Instant.parse("1970-01-01T00:00:00Z");
    public static final Instant LATEST = Instant.parse("9999-12-31T00:00:00Z");

    public static Period of(String from, String to, Duration defaultLength, Duration maxLength) {
        Instant end = to == null ? Instant.now().truncatedTo(ChronoUnit.SECONDS) : instant("to", to);
        Instant start = from == null ? end.minus(defaultLength) : instant("from", from);
        if (!start.isBefore(end)) {
            throw ProblemException.badField("from", "must be before 'to' (" + end + ")");
        }
        if (Duration.between(start, end).compareTo(maxLength) > 0) {
            throw ProblemException.badField("from", "the period may be at most " + maxLength.toDays() + " days");
        }
        return new Period(start, end);
    }

    /** An instant parameter: ISO-8601, within {@link #EARLIEST} and {@link #LATEST}; 400 naming it otherwise. */
    public static Instant instant(String field, String value) {
        Instant at;
        try {
            at = Instant.parse(value);
        } catch (DateTimeParseException e) {
            throw ProblemException.badField(field, "must be an ISO-8601 instant such as 2026-03-06T00:00:00Z");
        }
        if (at.isBefore(EARLIEST) || at.isAfter(LATEST)) {
            throw ProblemException.badField(field, "must be between " + EARLIEST + " and " + LATEST);
        }
        return at;
    }
}
