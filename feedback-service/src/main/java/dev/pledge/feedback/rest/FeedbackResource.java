package dev.pledge.feedback.rest;

import dev.pledge.events.FeedbackEvent;
import dev.pledge.feedback.service.Surveys;
import dev.pledge.web.Completion;
import dev.pledge.web.JsonBodies;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;
import jakarta.annotation.security.PermitAll;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Instant;

/**
 * Survey answers, from customers: no JWT, the survey token authorizes one answer. Refusals, each
 * problem+json and before anything is written: 401 for a token not signed here or altered, 410 once it
 * expired, 409 for a second answer, 400 naming the field for a score off the survey's scale, another
 * survey's kind or a comment over 4 KiB, 429 beyond the per-address rate.
 */
@Path("/feedback")
public class FeedbackResource {

    /** An answer. {@code kind} is optional; when given it must be the survey's. */
    public record Answer(@NotNull String token, @NotNull Integer score, String kind, String comment) {
    }

    public record Accepted(String feedbackId, String surveyId, String kind, int score, String theme, Double sentiment,
            Instant at) {
    }

    private final JsonBodies bodies;
    private final Surveys surveys;
    private final AnswerLimiter limiter;
    private final ClientAddresses clients;

    public FeedbackResource(JsonBodies bodies, Surveys surveys, AnswerLimiter limiter, ClientAddresses clients) {
        this.clients = clients;
        this.bodies = bodies;
        this.surveys = surveys;
        this.limiter = limiter;
    }

    @POST
    @PermitAll
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<Response> answer(byte[] body, @Context HttpServerRequest request) {
        long retryAfter = limiter.retryAfter(clients.of(request));
        if (retryAfter > 0) {
            return Uni.createFrom().item(limiter.refusal(retryAfter, request.path()));
        }
        Answer answer = bodies.read(body, Answer.class);
        return Completion.regardlessOfClient(() -> surveys.answer(answer.token(), answer.kind(), answer.score(),
                        answer.comment()))
                .map(r -> Response.status(Response.Status.CREATED).entity(accepted(r)).build());
    }

    private static Accepted accepted(FeedbackEvent.Received r) {
        return new Accepted(r.feedbackId(), r.surveyId(), r.kind().wire(), r.score(), r.theme(), r.sentiment(), r.at());
    }
}
