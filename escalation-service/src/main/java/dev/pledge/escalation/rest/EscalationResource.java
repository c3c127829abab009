package dev.pledge.escalation.rest;

import dev.pledge.escalation.Escalation;
import dev.pledge.escalation.rest.EscalationViews.ContactEscalations;
import dev.pledge.escalation.rest.EscalationViews.CrisisView;
import dev.pledge.escalation.rest.EscalationViews.EscalationView;
import dev.pledge.escalation.service.Crises;
import dev.pledge.escalation.service.Escalations;
import dev.pledge.web.Completion;
import dev.pledge.web.Paging;
import dev.pledge.web.Period;
import dev.pledge.web.ProblemException;
import dev.pledge.web.RequestParameters;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.SecurityContext;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;

/** Escalations, a contact's escalations and complaint steps, acknowledgement, crises. */
@Path("/")
@Produces(MediaType.APPLICATION_JSON)
public class EscalationResource {
    static final int MAX_PAGE_SIZE = 500;
    static final Set<String> STATES = Set.of(Escalation.OPEN, Escalation.ACKNOWLEDGED, Escalation.RESOLVED);
    static final int MAX_NAME = 100;

    private final Escalations escalations;
    private final Crises crises;

    public EscalationResource(Escalations escalations, Crises crises) {
        this.escalations = escalations;
        this.crises = crises;
    }

    @GET
    @Path("escalations")
    @RolesAllowed({"agent", "supervisor", "analyst"})
    public Uni<List<EscalationView>> list(@QueryParam("state") String state, @QueryParam("level") String level,
            @QueryParam("team") String team, @QueryParam("page") @DefaultValue("0") String page,
            @QueryParam("size") @DefaultValue("50") String size) {
        if (state != null && !STATES.contains(state)) {
            throw ProblemException.badField("state", "must be one of " + STATES.stream().sorted().toList());
        }
        RequestParameters.name("level", level, MAX_NAME);
        RequestParameters.name("team", team, MAX_NAME);
        Paging paging = Paging.of(page, size, MAX_PAGE_SIZE);
        return Completion.regardlessOfClient(() -> escalations.list(state, level, team, paging))
                .map(list -> list.stream().map(EscalationView::of).toList());
    }

    @GET
    @Path("contacts/{id}/escalations")
    @RolesAllowed({"agent", "supervisor", "analyst"})
    public Uni<ContactEscalations> ofContact(@PathParam("id") String id) {
        RequestParameters.name("id", id, MAX_NAME);
        return Completion.regardlessOfClient(() -> escalations.ofContact(id)).map(h -> ContactEscalations.of(id, h));
    }

    /**
     * Takes an escalation: it stops climbing. Acknowledging one already acknowledged answers it as it
     * stands (a retry is harmless); a resolved one answers 409.
     */
    @POST
    @Path("escalations/{id}/acknowledge")
    @RolesAllowed({"agent", "supervisor"})
    public Uni<EscalationView> acknowledge(@PathParam("id") String id, SecurityContext security) {
        RequestParameters.name("id", id, MAX_NAME);
        String by = security.getUserPrincipal().getName();
        return Completion.regardlessOfClient(() -> escalations.acknowledge(id, by)).map(EscalationView::of);
    }

    @GET
    @Path("crises")
    @RolesAllowed({"agent", "supervisor", "analyst"})
    public Uni<List<CrisisView>> crises(@QueryParam("since") String since,
            @QueryParam("page") @DefaultValue("0") String page, @QueryParam("size") @DefaultValue("50") String size) {
        Instant start = since == null ? Instant.now().minus(Duration.ofDays(7)) : Period.instant("since", since);
        Paging paging = Paging.of(page, size, MAX_PAGE_SIZE);
        return Completion.regardlessOfClient(() -> crises.since(start, paging))
                .map(list -> list.stream().map(CrisisView::of).toList());
    }
}
