package dev.pledge.web;

/**
 * A page of a listing, checked: {@code page} from 0, {@code size} from 1 to the endpoint's maximum,
 * and no page so far out that its first row ({@code page * size}) overflows.
 */
public record Paging(int page, int size) {
    /** The furthest first row a listing serves; past it a client should narrow the query instead. */
    public static final int MAX_OFFSET = 1_000_000;

    /** From query parameters as sent (text: {@link RequestParameters#wholeNumber}). */
    public static Paging of(String page, String size, int maxSize) {
        return of(RequestParameters.wholeNumber("page", page), RequestParameters.wholeNumber("size", size), maxSize);
    }

    public static Paging of(int page, int size, int maxSize) {
        if (size < 1 || size > maxSize) {
            throw ProblemException.badField("size", "must be from 1 to " + maxSize);
        }
        if (page < 0 || (long) page * size > MAX_OFFSET) {
            throw ProblemException.badField("page", "must be from 0 to " + MAX_OFFSET / size + " at size " + size);
        }
        return new Paging(page, size);
    }
}
