package dev.pledge.feedback.rest;

import dev.pledge.feedback.config.FeedbackConfig;
import dev.pledge.feedback.service.WhatIf;
import dev.pledge.web.Completion;
import dev.pledge.web.Period;
import dev.pledge.web.ProblemException;
import dev.pledge.web.RequestParameters;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * The what-if replay of a candidate policy as a job ({@link WhatIf}): started from the API or from the
 * dashboard's panel, then read by its starter alone. 429 with {@code Retry-After} while as many run here as
 * allowed ({@link WhatIfBusy}).
 */
@Path("/")
@Produces(MediaType.APPLICATION_JSON)
public class WhatIfResource {
    private final WhatIf whatIf;
    private final FeedbackConfig config;

    public WhatIfResource(WhatIf whatIf, FeedbackConfig config) {
        this.whatIf = whatIf;
        this.config = config;
    }

    /**
     * Starts a replay of the contacts received in {@code [from, to)} under a candidate policy (YAML or JSON,
     * validated as {@code PUT /policy} validates: 422 with every problem's path), or, with no body, under the
     * versions that were in force (every outcome must come out as recorded). 202 with the job at
     * {@code Location}; 429 with {@code Retry-After} while as many replays as allowed run here. Publishes nothing.
     */
    @POST
    @Path("insights/what-if")
    @RolesAllowed({"analyst", "supervisor", "policy-admin"})
    @Consumes({"application/yaml", "application/x-yaml", "text/yaml", MediaType.APPLICATION_JSON, MediaType.TEXT_PLAIN,
            MediaType.WILDCARD})
    public Uni<Response> whatIf(byte[] body, @QueryParam("from") String from, @QueryParam("to") String to,
            @Context SecurityContext caller) {
        Period p = Period.of(from, to, Duration.ofDays(90), config.maxPeriod());
        return Completion.regardlessOfClient(() -> whatIf.start(new String(body, StandardCharsets.UTF_8), p.from(),
                p.to(), caller.getUserPrincipal().getName()))
                .map(job -> Response.accepted(job).location(URI.create("/insights/what-if/" + job.id())).build());
    }

    /** A replay's progress (contacts replayed of the total), then its report; only its starter sees it. */
    @GET
    @Path("insights/what-if/{id}")
    @RolesAllowed({"analyst", "supervisor", "policy-admin"})
    public Uni<WhatIf.JobView> whatIfJob(@PathParam("id") String id, @Context SecurityContext caller) {
        return job(id, caller);
    }

    /**
     * The dashboard's what-if panel: a replay of the last {@code days} days under the candidate in the body
     * (empty: the versions in force), as {@code POST /insights/what-if} starts one, for the signed-in caller.
     */
    @POST
    @Path("dashboard/what-if")
    @RolesAllowed({"supervisor", "analyst"})
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<Response> fromDashboard(byte[] body, @QueryParam("days") @DefaultValue("30") String daysParam,
            @Context SecurityContext caller) {
        int days = RequestParameters.wholeNumber("days", daysParam);
        if (days < 1 || days > 400) {
            throw ProblemException.badField("days", "must be a whole number of days, 1 to 400");
        }
        Instant to = Instant.now().truncatedTo(ChronoUnit.SECONDS).plusSeconds(1);
        return Completion.regardlessOfClient(() -> whatIf.start(new String(body, StandardCharsets.UTF_8),
                to.minus(Duration.ofDays(days)), to, caller.getUserPrincipal().getName()))
                .map(job -> Response.accepted(job).location(URI.create("/dashboard/what-if/" + job.id())).build());
    }

    @GET
    @Path("dashboard/what-if/{id}")
    @RolesAllowed({"supervisor", "analyst"})
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<WhatIf.JobView> dashboardJob(@PathParam("id") String id, @Context SecurityContext caller) {
        return job(id, caller);
    }

    private Uni<WhatIf.JobView> job(String id, SecurityContext caller) {
        return Completion.regardlessOfClient(() -> whatIf.job(id, caller.getUserPrincipal().getName()))
                .map(job -> job.orElseThrow(() -> ProblemException.notFound("what-if " + id)));
    }
}
