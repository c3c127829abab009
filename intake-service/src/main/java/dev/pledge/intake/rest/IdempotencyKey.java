package dev.pledge.intake.rest;

import dev.pledge.web.ProblemException;

/** The {@code Idempotency-Key} header of a request that writes: a retry with the same key is answered, not applied again. */
final class IdempotencyKey {
    static final String HEADER = "Idempotency-Key";
    /** The idempotency_key column's size. */
    static final int MAX_LENGTH = 200;

    private IdempotencyKey() {
    }

    /** The header trimmed, null when absent or blank; refused (400) when too long or not printable ASCII. */
    static String read(String header) {
        String key = header == null || header.isBlank() ? null : header.trim();
        if (key != null && (key.length() > MAX_LENGTH || key.chars().anyMatch(ch -> ch < 0x20 || ch > 0x7e))) {
            throw ProblemException.badField(HEADER, "must be at most " + MAX_LENGTH + " printable ASCII characters");
        }
        return key;
    }
}
