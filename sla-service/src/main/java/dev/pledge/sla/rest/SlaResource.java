package dev.pledge.sla.rest;

import dev.pledge.events.SlaMetric;
import dev.pledge.policy.BusinessCalendar;
import dev.pledge.sla.SlaTimer;
import dev.pledge.sla.repository.ContactRepository;
import dev.pledge.sla.repository.TimerRepository;
import dev.pledge.sla.service.Compliance;
import dev.pledge.policy.feed.PolicyFeed;
import dev.pledge.web.Callers;
import dev.pledge.web.Paging;
import dev.pledge.web.Period;
import dev.pledge.web.ProblemException;
import dev.pledge.web.Completion;
import io.quarkus.hibernate.reactive.panache.Panache;
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
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;

/** SLA status of a contact, timers at risk, and compliance over a period. */
@Path("/")
@Produces(MediaType.APPLICATION_JSON)
public class SlaResource {
    /** The longest compliance period: ended timers are kept 400 days (decision 011), as feedback's KPIs are. */
    static final Duration MAX_COMPLIANCE_PERIOD = Duration.ofDays(400);

    static final int MAX_PAGE_SIZE = 500;

    private final TimerRepository timers;
    private final PolicyFeed policies;
    private final Compliance compliance;
    private final ContactRepository contacts;

    public SlaResource(TimerRepository timers, ContactRepository contacts, PolicyFeed policies, Compliance compliance) {
        this.contacts = contacts;
        this.timers = timers;
        this.policies = policies;
        this.compliance = compliance;
    }

    /**
     * One timer as people read it: business time used and left, in the timer's calendar. A promise
     * (metric {@code promise}, cycle its number) also says what was promised.
     */
    public record TimerView(String contactId, SlaMetric metric, int cycle, String state, String rule, String calendar,
            Duration target, Instant startedAt, Instant deadline, Duration used, Duration left, boolean breached,
            Integer warnedPercent, Instant endedAt, Boolean inTarget, int policyVersion, String promised) {
    }

    /**
     * A contact's timers. A front end ({@code intake} alone) reads only the contacts it sent, as in
     * intake-service: any other is 404, as one that does not exist.
     */
    @GET
    @Path("contacts/{id}/sla")
    @RolesAllowed({"intake", "agent", "supervisor", "analyst"})
    public Uni<List<TimerView>> ofContact(@PathParam("id") String id, SecurityContext security) {
        Instant now = Instant.now();
        return Completion.regardlessOfClient(() -> Panache.withSession(() -> maySee(security, id)
                .chain(visible -> visible ? timers.ofContact(id) : Uni.createFrom().item(List.<SlaTimer>of()))))
                .map(list -> {
                    if (list.isEmpty()) {
                        throw ProblemException.notFound("SLA timers of contact " + id);
                    }
                    return list.stream().map(t -> view(t, now)).toList();
                });
    }

    /** Whether the caller may see this contact: a front end only if it sent it (the only case that reads the contact). */
    private Uni<Boolean> maySee(SecurityContext security, String id) {
        if (!Callers.frontEndOnly(security)) {
            return Uni.createFrom().item(true);
        }
        return contacts.findById(id).map(c -> c != null && Callers.maySee(security, c.caller));
    }

    @GET
    @Path("sla/at-risk")
    @RolesAllowed({"agent", "supervisor", "analyst"})
    public Uni<List<TimerView>> atRisk(@QueryParam("within") @DefaultValue("PT15M") String within,
            @QueryParam("page") @DefaultValue("0") String page, @QueryParam("size") @DefaultValue("50") String size) {
        Duration window = duration("within", within);
        Paging paging = Paging.of(page, size, MAX_PAGE_SIZE);
        Instant now = Instant.now();
        return Completion.regardlessOfClient(() -> Panache.withSession(() -> timers.atRisk(now.plus(window), paging)))
                .map(list -> list.stream().map(t -> view(t, now)).toList());
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

    private TimerView view(SlaTimer t, Instant now) {
        BusinessCalendar cal = policies.version(t.policyVersion).calendar(t.calendar);
        Duration used = t.used(cal, now);
        Duration left = t.isOpen() ? t.target().minus(used) : null;
        return new TimerView(t.contactId, t.slaMetric(), t.cycle, t.state, t.rule, t.calendar, t.target(), t.startedAt,
                t.deadline, used, left == null || left.isNegative() ? (left == null ? null : Duration.ZERO) : left,
                t.breached, t.warnedPercent == 0 ? null : t.warnedPercent, t.endedAt, t.inTarget, t.policyVersion,
                t.promised);
    }

    private static Duration duration(String field, String text) {
        try {
            Duration d = Duration.parse(text);
            if (!d.isNegative() && !d.isZero()) {
                return d;
            }
        } catch (DateTimeParseException e) {
            // reported below
        }
        throw ProblemException.badField(field, "must be a positive ISO-8601 duration such as PT15M, was '" + text + "'");
    }
}
