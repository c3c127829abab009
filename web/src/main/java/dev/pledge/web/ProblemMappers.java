package dev.pledge.web;

import dev.pledge.policy.InvalidPolicyException;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import io.vertx.core.http.HttpServerRequest;
import jakarta.validation.ConstraintViolationException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.Response.Status;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Every refusal as {@code application/problem+json}: the one place errors get their shape. */
public class ProblemMappers {
    private static final Logger LOG = Logger.getLogger(ProblemMappers.class);
    /** What a client is told to wait before retrying while the database is away. */
    static final String RETRY_AFTER_SECONDS = "5";

    @ServerExceptionMapper
    public Response problem(ProblemException e, HttpServerRequest request) {
        return e.problem().at(request.path()).toResponse();
    }

    @ServerExceptionMapper
    public Response invalidPolicy(InvalidPolicyException e, HttpServerRequest request) {
        var errors = e.errors().stream().map(p -> new Problem.FieldError(p.path(), p.message())).toList();
        return Problem.invalid(Problem.UNPROCESSABLE, errors.size() + " problem(s) in the policy; the policy in force is unchanged",
                errors).at(request.path()).toResponse();
    }

    @ServerExceptionMapper({UnauthorizedException.class, AuthenticationFailedException.class})
    public Response unauthenticated(RuntimeException e, HttpServerRequest request) {
        return Response.fromResponse(Problem.of(Status.UNAUTHORIZED, "unauthenticated",
                "a valid bearer token is required").at(request.path()).toResponse())
                .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer").build();
    }

    @ServerExceptionMapper
    public Response forbidden(ForbiddenException e, HttpServerRequest request) {
        return Problem.of(Status.FORBIDDEN, "forbidden", "your role may not do this").at(request.path()).toResponse();
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e, HttpServerRequest request) {
        Status status = Status.fromStatusCode(e.getResponse().getStatus());
        String slug = status == null ? "error" : status.getReasonPhrase().toLowerCase().replace(' ', '-');
        return Problem.of(status == null ? Status.BAD_REQUEST : status, slug, e.getMessage()).at(request.path())
                .toResponse();
    }

    /** Bean Validation on a parameter (a header's size, say): 400 naming the parameter. */
    @ServerExceptionMapper
    public Response invalidParameter(ConstraintViolationException e, HttpServerRequest request) {
        var errors = e.getConstraintViolations().stream().map(v -> {
            String field = null;
            for (var node : v.getPropertyPath()) {
                field = node.getName(); // the last node: the parameter or field, not the method
            }
            return new Problem.FieldError(field == null ? "$" : field, v.getMessage());
        }).sorted(java.util.Comparator.comparing(Problem.FieldError::field)).toList();
        return Problem.invalid(400, errors.stream().map(f -> f.field() + ": " + f.message())
                .collect(java.util.stream.Collectors.joining("; ")), errors).at(request.path()).toResponse();
    }

    @ServerExceptionMapper
    public Response timedOut(Completion.TimedOut e, HttpServerRequest request) {
        LOG.warnf("%s %s: %s; answered 503", request.method(), request.path(), e.getMessage());
        return Response.fromResponse(Problem.of(Status.SERVICE_UNAVAILABLE, "timed-out", "the database did not answer"
                + " in time; the request may still complete: retry with the same Idempotency-Key")
                .at(request.path()).toResponse()).header(HttpHeaders.RETRY_AFTER, RETRY_AFTER_SECONDS).build();
    }

    @ServerExceptionMapper
    public Response unexpected(Exception e, HttpServerRequest request) {
        if (Failures.isTransient(e)) {
            LOG.warnf("%s %s: database unavailable (%s); answered 503", request.method(), request.path(),
                    Failures.rootMessage(e));
            return Response.fromResponse(Problem.of(Status.SERVICE_UNAVAILABLE, "unavailable",
                    "the service cannot reach its database just now; nothing was accepted, retry later")
                    .at(request.path()).toResponse()).header(HttpHeaders.RETRY_AFTER, RETRY_AFTER_SECONDS).build();
        }
        LOG.errorf(e, "%s %s failed", request.method(), request.path());
        return Problem.of(Status.INTERNAL_SERVER_ERROR, "internal", "the request failed; nothing was accepted")
                .at(request.path()).toResponse();
    }
}
