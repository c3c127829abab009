package dev.pledge.web;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.UriInfo;
import java.util.List;
import java.util.Map;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Path and query parameters may not carry control characters: PostgreSQL text cannot hold NUL, and
 * no id, name or filter of ours contains one. Refused here once, naming the parameter, rather than
 * failing in whichever query first meets the value.
 */
public class RequestParameters {

    @ServerRequestFilter(preMatching = false)
    public void refuseControlCharacters(ContainerRequestContext request, UriInfo uri) {
        check(uri.getPathParameters(true));
        check(uri.getQueryParameters(true));
    }

    /**
     * A whole-number query parameter, read from its text: JAX-RS answers 404 for a parameter it cannot
     * convert (a page of 99999999999999999999), and a client should be told which field is wrong.
     */
    public static int wholeNumber(String field, String text) {
        try {
            return Integer.parseInt(text.trim());
        } catch (RuntimeException e) {
            throw ProblemException.badField(field, "must be a whole number, was '" + text + "'");
        }
    }

    /** A positive ISO-8601 duration parameter ({@code PT15M}); 400 naming it otherwise. */
    public static java.time.Duration positiveDuration(String field, String text) {
        try {
            java.time.Duration d = java.time.Duration.parse(text);
            if (!d.isNegative() && !d.isZero()) {
                return d;
            }
        } catch (java.time.format.DateTimeParseException e) {
            // reported below
        }
        throw ProblemException.badField(field, "must be a positive ISO-8601 duration such as PT15M, was '" + text + "'");
    }

    /** A name parameter (a level, a team, an id): at most {@code max} characters, no control characters; 400 otherwise. */
    public static String name(String field, String value, int max) {
        if (value != null && (value.length() > max || value.chars().anyMatch(ch -> ch < 0x20))) {
            throw ProblemException.badField(field, "must be at most " + max + " characters without control characters");
        }
        return value;
    }

    private static void check(MultivaluedMap<String, String> parameters) {
        for (Map.Entry<String, List<String>> e : parameters.entrySet()) {
            for (String value : e.getValue()) {
                if (value != null && value.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
                    throw ProblemException.badField(e.getKey(), "must not contain control characters such as NUL");
                }
            }
        }
    }
}
