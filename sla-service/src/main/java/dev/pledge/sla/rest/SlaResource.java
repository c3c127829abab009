package dev.pledge.sla.rest;

import dev.pledge.sla.service.Compliance;
import dev.pledge.sla.service.SlaStatus;
import dev.pledge.sla.service.SlaStatus.TimerView;
import dev.pledge.web.Callers;
import dev.pledge.web.Completion;
import dev.pledge.web.Paging;
import dev.pledge.web.Period;
import dev.pledge.web.ProblemException;
import dev.pledge.web.RequestParameters;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.SecurityContext;
import java.time.Duration;
import java.util.List;

/** SLA status of a contact, timers at risk, and compliance over a period. */
@Path("/")
@Produces(MediaType.APPLICATION_JSON)
public class SlaResource {
    /** The longest compliance period: ended timers are kept 400 days (decision 011), as feedback's KPIs are. */
    static final Duration MAX_COMPLIANCE_PERIOD = Duration.ofDays(400);
    static final int MAX_PAGE_SIZE = 500;

    private final SlaStatus status;
    private final Compliance compliance;

    public SlaResource(SlaStatus status, Compliance compliance) {
        this.status = status;
        this.compliance = compliance;
    }

    /**
     * A contact's timers. A front end ({@code intake} alone) reads only the contacts it sent, as in
     * intake-service: any other is 404, as one that does not exist.
     */
    @GET
    @Path("contacts/{id}/sla")
    @RolesAllowed({"intake", "agent", "supervisor", "analyst"})
    public Uni<List<TimerView>> ofContact(@PathParam("id") String id, SecurityContext security) {
        return Completion.regardlessOfClient(() -> status.ofContact(id,
                Callers.frontEndOnly(security) ? sentBy -> Callers.maySee(security, sentBy) : null)).map(list -> {
                    if (list.isEmpty()) {
                        throw ProblemException.notFound("SLA timers of contact " + id);
                    }
                    return list;
                });
    }

    @GET
    @Path("sla/at-risk")
    @RolesAllowed({"agent", "supervisor", "analyst"})
    public Uni<List<TimerView>> atRisk(@QueryParam("within") @DefaultValue("PT15M") String within,
            @QueryParam("page") @DefaultValue("0") String page, @QueryParam("size") @DefaultValue("50") String size) {
        Duration window = RequestParameters.positiveDuration("within", within);
        Paging paging = Paging.of(page, size, MAX_PAGE_SIZE);
        return Completion.regardlessOfClient(() -> status.atRisk(window, paging));
    }

    @GET
    @Path("sla/compliance")
    @RolesAllowed({"supervisor", "analyst"})
    public Uni<Compliance.Report> compliance(@QueryParam("from") String from, @QueryParam("to") String to,
            @QueryParam("groupBy") String groupBy) {
        Period period = Period.of(from, to, Duration.ofDays(7), MAX_COMPLIANCE_PERIOD);
        if (groupBy != null && !Compliance.GROUPS.containsKey(groupBy)) {
            throw ProblemException.badField("groupBy", "must be one of " + Compliance.GROUPS.keySet());
        }
        return compliance.report(period.from(), period.to(), groupBy);
    }
}
