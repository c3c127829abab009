package dev.pledge.feedback.rest;

import dev.pledge.feedback.config.FeedbackConfig;
import dev.pledge.feedback.service.Insights;
import dev.pledge.feedback.service.Kpis;
import dev.pledge.feedback.service.WhatIf;
import dev.pledge.policy.Policy;
import dev.pledge.policy.PolicyLoader;
import dev.pledge.web.Completion;
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
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;

/** KPIs, insights, and the what-if replay of a candidate policy: for analysts and supervisors. */
@Path("/")
@Produces(MediaType.APPLICATION_JSON)
public class AnalyticsResource {
    private static final Instant EARLIEST = Instant.parse("1970-01-01T00:00:00Z");
    private static final Instant LATEST = Instant.parse("9999-12-31T00:00:00Z");

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

    /** A period {@code [from, to)} of contacts received; {@code to} defaults to now, {@code from} to {@code to} less the default. */
    public record Period(Instant from, Instant to) {
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
        return Completion.regardlessOfClient(() -> whatIf.replay(candidate, p.from(), p.to()));
    }

    private Period period(String from, String to, Duration defaultLength) {
        Instant end = to == null ? Instant.now().truncatedTo(ChronoUnit.SECONDS) : instant("to", to);
        Instant start = from == null ? end.minus(defaultLength) : instant("from", from);
        if (!start.isBefore(end)) {
            throw ProblemException.badField("from", "must be before 'to' (" + end + ")");
        }
        if (Duration.between(start, end).compareTo(config.maxPeriod()) > 0) {
            throw ProblemException.badField("from", "the period may be at most " + config.maxPeriod().toDays() + " days");
        }
        return new Period(start, end);
    }

    private static Instant instant(String field, String value) {
        Instant at;
        try {
            at = Instant.parse(value);
        } catch (DateTimeParseException e) {
            throw ProblemException.badField(field, "must be an ISO-8601 instant such as 2026-03-06T00:00:00Z");
        }
        if (at.isBefore(EARLIEST) || at.isAfter(LATEST)) {
            throw ProblemException.badField(field, "must be between " + EARLIEST + " and " + LATEST);
        }
        return at;
    }
}
