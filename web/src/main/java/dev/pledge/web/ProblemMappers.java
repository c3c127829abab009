package dev.pledge.web;

import dev.pledge.policy.InvalidPolicyException;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.Response.Status;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Every refusal as {@code application/problem+json}: the one place errors get their shape. */
public class ProblemMappers {
    private static final Logger LOG = Logger.getLogger(ProblemMappers.class);

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

    @ServerExceptionMapper
    public Response unexpected(Exception e, HttpServerRequest request) {
        LOG.errorf(e, "%s %s failed", request.method(), request.path());
        return Problem.of(Status.INTERNAL_SERVER_ERROR, "internal", "the request failed; nothing was accepted")
                .at(request.path()).toResponse();
    }
}
