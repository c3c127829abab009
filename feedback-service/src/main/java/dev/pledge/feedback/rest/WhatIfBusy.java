package dev.pledge.feedback.rest;

import dev.pledge.feedback.service.WhatIf;
import dev.pledge.web.Problem;
import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** As many what-if replays as allowed run here: 429 with {@code Retry-After}, wherever one is started. */
public class WhatIfBusy {
    static final int RETRY_AFTER_SECONDS = 10;

    @ServerExceptionMapper
    public Response busy(WhatIf.Busy busy, HttpServerRequest request) {
        return Response.fromResponse(Problem.of(Response.Status.TOO_MANY_REQUESTS, "busy", busy.getMessage())
                .at(request.path()).toResponse()).header(HttpHeaders.RETRY_AFTER, RETRY_AFTER_SECONDS).build();
    }
}
