package dev.pledge.policy;

import java.util.List;
import java.util.stream.Collectors;

/** A policy document that cannot be used, with every problem found in it. */
public class InvalidPolicyException extends RuntimeException {
    private final List<PolicyError> errors;

    public InvalidPolicyException(List<PolicyError> errors) {
        super("invalid policy: " + errors.stream().map(PolicyError::toString).collect(Collectors.joining("; ")));
        this.errors = List.copyOf(errors);
    }

    public List<PolicyError> errors() {
        return errors;
    }
}
