package dev.pledge.feedback.rest;

import dev.pledge.feedback.config.FeedbackConfig;
import dev.pledge.feedback.service.Insights;
import dev.pledge.feedback.service.Kpis;
import dev.pledge.feedback.service.WhatIf;
import dev.pledge.policy.InvalidPolicyException;
import dev.pledge.policy.Policy;
import dev.pledge.policy.PolicyLoader;
import dev.pledge.web.Completion;
import dev.pledge.web.Period;
import dev.pledge.web.Problem;
import dev.pledge.web.ProblemException;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** KPIs, insights, and the what-if replay of a candidate policy: for analysts and supervisors. */
@Path("/")
@Produces(MediaType.APPLICATION_JSON)
public class AnalyticsResource {

    private final Kpis kpis;
    private final Insights insights;
    private final WhatIf whatIf;
    private final FeedbackConfig config;

    public AnalyticsResource(Kpis kpis, Insights insights, WhatIf whatIf, FeedbackConfig config) {
        this.kpis = kpis;
        this.insights = insights;
        this.whatIf = whatIf;
        this.config = config;
    }

    @GET
    @Path("kpis")
    @RolesAllowed({"analyst", "supervisor"})
    public Uni<Kpis.Report> kpis(@QueryParam("from") String from, @QueryParam("to") String to,
            @QueryParam("groupBy") String groupBy) {
        String grouping = groupBy == null || groupBy.isBlank() ? "none" : groupBy;
        if (!Kpis.GROUPINGS.containsKey(grouping)) {
            throw ProblemException.badField("groupBy", "must be one of " + Kpis.GROUPINGS.keySet().stream().sorted().toList());
        }
        Period p = period(from, to, Duration.ofDays(30));
        return Completion.regardlessOfClient(() -> kpis.report(p.from(), p.to(), grouping));
    }

    @GET
    @Path("insights")
    @RolesAllowed({"analyst", "supervisor"})
    public Uni<Insights.Report> insights(@QueryParam("from") String from, @QueryParam("to") String to) {
        Period p = period(from, to, Duration.ofDays(90));
        return Completion.regardlessOfClient(() -> insights.report(p.from(), p.to()));
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
        Period p = period(from, to, Duration.ofDays(90));
        return start(whatIf, body, p, caller.getUserPrincipal().getName(), "/insights/what-if/");
    }

    /**
     * Starts a replay for {@code owner}: the body is the candidate (empty: the versions in force); 202 with the
     * job at {@code location + id}, or 429 with {@code Retry-After}. The dashboard starts its replays here too.
     */
    static Uni<Response> start(WhatIf whatIf, byte[] body, Period p, String owner, String location) {
        Policy candidate;
        try {
            candidate = body == null || body.length == 0 || new String(body, StandardCharsets.UTF_8).isBlank() ? null
                    : PolicyLoader.read(PolicyLoader.parse(new String(body, StandardCharsets.UTF_8)));
        } catch (InvalidPolicyException e) {
            throw new ProblemException(Problem.invalid(Problem.UNPROCESSABLE, e.errors().size()
                    + " problem(s) in the candidate policy; nothing was replayed", e.errors().stream()
                    .map(err -> new Problem.FieldError(err.path(), err.message())).toList()));
        }
        try {
            return whatIf.start(candidate, p.from(), p.to(), owner)
                    .map(job -> Response.accepted(job).location(URI.create(location + job.id())).build());
        } catch (WhatIf.Busy busy) {
            return Uni.createFrom().item(Response.status(Response.Status.TOO_MANY_REQUESTS).type(Problem.MEDIA_TYPE)
                    .header(HttpHeaders.RETRY_AFTER, 10)
                    .entity(Problem.of(Response.Status.TOO_MANY_REQUESTS, "busy", busy.getMessage())).build());
        }
    }

    /** A replay's progress (contacts replayed of the total), then its report; only its starter sees it. */
    @GET
    @Path("insights/what-if/{id}")
    @RolesAllowed({"analyst", "supervisor", "policy-admin"})
    public Uni<WhatIf.JobView> whatIfJob(@PathParam("id") String id, @Context SecurityContext caller) {
        return Completion.regardlessOfClient(() -> whatIf.job(id, caller.getUserPrincipal().getName()))
                .map(job -> job.orElseThrow(() -> ProblemException.notFound("what-if " + id)));
    }

    private Period period(String from, String to, Duration defaultLength) {
        return Period.of(from, to, defaultLength, config.maxPeriod());
    }
}
