package dev.pledge.feedback.rest;

import dev.pledge.feedback.config.FeedbackConfig;
import dev.pledge.feedback.service.Insights;
import dev.pledge.feedback.service.KpiFigures;
import dev.pledge.feedback.service.Kpis;
import dev.pledge.web.Completion;
import dev.pledge.web.Period;
import dev.pledge.web.ProblemException;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.time.Duration;

/** KPIs and insights over a period: for analysts and supervisors ({@link WhatIfResource}: the what-if). */
@Path("/")
@Produces(MediaType.APPLICATION_JSON)
public class AnalyticsResource {

    private final Kpis kpis;
    private final Insights insights;
    private final FeedbackConfig config;

    public AnalyticsResource(Kpis kpis, Insights insights, FeedbackConfig config) {
        this.kpis = kpis;
        this.insights = insights;
        this.config = config;
    }

    @GET
    @Path("kpis")
    @RolesAllowed({"analyst", "supervisor"})
    public Uni<KpiFigures.Report> kpis(@QueryParam("from") String from, @QueryParam("to") String to,
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

    private Period period(String from, String to, Duration defaultLength) {
        return Period.of(from, to, defaultLength, config.maxPeriod());
    }
}
