package dev.pledge.web;

import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.core.json.Json;
import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.ws.rs.core.Response;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The HTTP layer's own refusals as problem+json, before any other handler: a request line longer than
 * {@link #MAX_URI} is 414, a declared body ({@code Content-Length}) over {@code quarkus.http.limits.max-body-size}
 * is 413 (Quarkus would answer both with an empty body). The codec's own limit sits higher
 * ({@code quarkus.http.limits.max-initial-line-length}, 64 KiB): only a request line past that is refused by
 * Netty itself, with a plain 414, as no handler of ours runs for a line it cannot read.
 */
@ApplicationScoped
public class HttpLimits {
    /** The longest request target served (path and query), in characters. */
    public static final int MAX_URI = 8192;

    private final long maxBody;

    public HttpLimits(@ConfigProperty(name = "quarkus.http.limits.max-body-size") Optional<MemorySize> maxBody) {
        this.maxBody = maxBody.map(MemorySize::asLongValue).orElse(Long.MAX_VALUE);
    }

    void install(@Observes Router router) {
        router.route().order(-3).handler(rc -> {
            String uri = rc.request().uri();
            if (uri != null && uri.length() > MAX_URI) {
                refuse(rc, Response.Status.REQUEST_URI_TOO_LONG, "uri-too-long",
                        "the request target is " + uri.length() + " characters; at most " + MAX_URI + " are read", null);
                return;
            }
            String length = rc.request().getHeader("Content-Length");
            if (length != null && tooLong(length)) {
                refuse(rc, Response.Status.REQUEST_ENTITY_TOO_LARGE, "body-too-large",
                        "the body is " + length + " bytes; at most " + maxBody + " are read", "body");
                return;
            }
            rc.next();
        });
    }

    private boolean tooLong(String length) {
        try {
            return Long.parseLong(length.trim()) > maxBody;
        } catch (NumberFormatException e) {
            return false; // the HTTP codec refuses a malformed Content-Length itself
        }
    }

    private static void refuse(io.vertx.ext.web.RoutingContext rc, Response.Status status, String slug, String detail,
            String field) {
        Problem problem = Problem.of(status, slug, detail);
        if (field != null) {
            problem = new Problem(problem.type(), problem.title(), problem.status(), detail, null,
                    java.util.List.of(new Problem.FieldError(field, detail)));
        }
        String path = rc.request().path();
        problem = problem.at(path == null || path.length() > 256 ? null : path);
        rc.response().setStatusCode(status.getStatusCode()).putHeader("Content-Type", Problem.MEDIA_TYPE)
                .putHeader("Connection", "close").end(Json.encode(problem));
    }
}
