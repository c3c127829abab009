package dev.pledge.feedback.rest;

import dev.pledge.feedback.config.FeedbackConfig;
import dev.pledge.feedback.service.Insights;
import dev.pledge.feedback.service.Kpis;
import dev.pledge.feedback.service.WhatIf;
import dev.pledge.policy.Policy;
import dev.pledge.policy.PolicyLoader;
import dev.pledge.web.Completion;
import dev.pledge.web.Period;
import dev.pledge.web.ProblemException;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
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

    /** A what-if reads up to 400 days of outcomes: more time than a lookup (issue 28 makes it a job). */
    private static final Duration WHAT_IF_BUDGET = Duration.ofSeconds(60);

    /**
     * Replays a period under a candidate policy (YAML or JSON, validated as {@code PUT /policy} validates:
     * 422 with every problem's path) and under the policy in force. Publishes nothing.
     */
    @POST
    @Path("insights/what-if")
    @RolesAllowed({"analyst", "supervisor", "policy-admin"})
    @Consumes({"application/yaml", "application/x-yaml", "text/yaml", MediaType.APPLICATION_JSON, MediaType.TEXT_PLAIN})
    public Uni<WhatIf.Report> whatIf(byte[] body, @QueryParam("from") String from, @QueryParam("to") String to) {
        Period p = period(from, to, Duration.ofDays(90));
        if (body == null || body.length == 0) {
            throw ProblemException.badField("$", "a candidate policy (YAML or JSON) is required");
        }
        Policy candidate = PolicyLoader.read(PolicyLoader.parse(new String(body, StandardCharsets.UTF_8)));
        return Completion.regardlessOfClient(() -> whatIf.replay(candidate, p.from(), p.to()), WHAT_IF_BUDGET);
    }

    private Period period(String from, String to, Duration defaultLength) {
        return Period.of(from, to, defaultLength, config.maxPeriod());
    }
}
