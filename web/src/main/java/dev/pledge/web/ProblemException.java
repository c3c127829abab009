package dev.pledge.web;

import jakarta.ws.rs.core.Response;
import java.util.List;

/** Refuses a request with a problem body; thrown before anything is written. */
public class ProblemException extends RuntimeException {
    private final Problem problem;

    public ProblemException(Problem problem) {
        super(problem.detail(), null, false, false);
        this.problem = problem;
    }

    public Problem problem() {
        return problem;
    }

    public static ProblemException badField(String field, String message) {
        return new ProblemException(Problem.invalid(400, field + ": " + message,
                List.of(new Problem.FieldError(field, message))));
    }

    /** 422: the field reads well but cannot be taken in the state things are in (a date before the contact's). */
    public static ProblemException unprocessableField(String field, String message) {
        return new ProblemException(Problem.invalid(Problem.UNPROCESSABLE, field + ": " + message,
                List.of(new Problem.FieldError(field, message))));
    }

    public static ProblemException notFound(String what) {
        return new ProblemException(Problem.of(Response.Status.NOT_FOUND, "not-found", what + " does not exist"));
    }

    public static ProblemException conflict(String detail) {
        return new ProblemException(Problem.of(Response.Status.CONFLICT, "conflict", detail));
    }
}
