package dev.pledge.policy;

/** One problem in a policy document, at a path such as {@code sla.rules[2].firstResponse}. */
public record PolicyError(String path, String message) {
    @Override
    public String toString() {
        return path + ": " + message;
    }
}
