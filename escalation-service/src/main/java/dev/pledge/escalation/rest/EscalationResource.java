package dev.pledge.escalation.rest;

import dev.pledge.escalation.Complaint;
import dev.pledge.escalation.Crisis;
import dev.pledge.escalation.Escalation;
import dev.pledge.escalation.EscalationDecision;
import dev.pledge.escalation.repository.EscalationRepository;
import dev.pledge.escalation.service.Crises;
import dev.pledge.escalation.service.EscalationClock;
import dev.pledge.escalation.service.Escalations;
import dev.pledge.outbox.OutboxRelay;
import dev.pledge.web.Completion;
import dev.pledge.web.Paging;
import dev.pledge.web.Period;
import dev.pledge.web.ProblemException;
import io.quarkus.hibernate.reactive.panache.Panache;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Escalations, a contact's escalations and complaint steps, acknowledgement, crises. */
@Path("/")
@Produces(MediaType.APPLICATION_JSON)
public class EscalationResource {
    static final int MAX_PAGE_SIZE = 500;
    static final Set<String> STATES = Set.of(Escalation.OPEN, Escalation.ACKNOWLEDGED, Escalation.RESOLVED);
    static final int MAX_NAME = 100;

    private final EscalationRepository repository;
    private final Escalations escalations;
    private final EscalationClock clock;
    private final OutboxRelay relay;
    private final Crises crises;

    public EscalationResource(EscalationRepository repository, Escalations escalations, EscalationClock clock,
            OutboxRelay relay, Crises crises) {
        this.repository = repository;
        this.escalations = escalations;
        this.clock = clock;
        this.relay = relay;
        this.crises = crises;
    }

    /** An escalation as people read it. */
    public record EscalationView(String escalationId, String contactId, String level, String team, String state,
            String rule, String reason, Instant raisedAt, Instant ackDeadline, Instant acknowledgedAt,
            String acknowledgedBy, Instant nextDeadline, int repeats, Instant resolvedAt, int policyVersion) {
        static EscalationView of(Escalation e) {
            return new EscalationView(e.escalationId, e.contactId, e.level, e.team, e.state, e.rule, e.reason,
                    e.raisedAt, e.ackDeadline, e.acknowledgedAt, e.acknowledgedBy, e.nextFireAt, e.repeats,
                    e.resolvedAt, e.policyVersion);
        }
    }

    /** One decision, for audit: the rule, the triggering event's ce_id and the policy version. */
    public record DecisionView(String escalationId, Instant at, String kind, String level, String team, String rule,
            String eventId, int policyVersion, String reason) {
        static DecisionView of(EscalationDecision d) {
            return new DecisionView(d.escalationId, d.at, d.kind, d.level, d.team, d.rule, d.eventId, d.policyVersion,
                    d.reason);
        }
    }

    public record Step(String step, Instant at) {
    }

    /**
     * A complaint's ISO 10002 steps with their times (null: not yet), its deadlines and which were missed;
     * {@code cause}: the broken promise that made it a complaint (null: its category did), {@code withdrawnAt}:
     * when that promise's breach was corrected, and the complaint withdrawn with it.
     */
    public record ComplaintView(String category, List<Step> steps, Instant acknowledgementDeadline,
            Instant finalResponseDeadline, boolean acknowledgementMissed, boolean finalResponseMissed,
            int policyVersion, String cause, Instant withdrawnAt) {
        static ComplaintView of(Complaint k) {
            List<Step> steps = new ArrayList<>();
            steps.add(new Step("received", k.receivedAt));
            steps.add(new Step("acknowledged", k.acknowledgedAt));
            steps.add(new Step("assessed", k.assessedAt));
            steps.add(new Step("responded", k.respondedAt));
            steps.add(new Step("closed", k.closedAt));
            return new ComplaintView(k.category, steps, k.ackDeadline, k.finalDeadline, k.ackMissed, k.finalMissed,
                    k.policyVersion, k.cause, k.withdrawnAt);
        }
    }

    public record ContactEscalations(String contactId, List<EscalationView> escalations, List<DecisionView> decisions,
            ComplaintView complaint) {
    }

    public record CrisisView(String crisisId, String category, Instant declaredAt, Instant windowStart,
            Instant windowEnd, int count, double baseline, List<String> notified, Instant belowSince,
            Instant clearedAt, int policyVersion) {
        static CrisisView of(Crisis c) {
            return new CrisisView(c.crisisId, c.category, c.declaredAt, c.windowStart, c.windowEnd, c.count,
                    c.baseline, List.of(c.notified.split(",")), c.belowSince, c.clearedAt, c.policyVersion);
        }
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
        name("level", level);
        name("team", team);
        Paging paging = Paging.of(page, size, MAX_PAGE_SIZE);
        return Completion.regardlessOfClient(() -> Panache.withSession(() -> repository.list(state, level, team, paging)))
                .map(list -> list.stream().map(EscalationView::of).toList());
    }

    @GET
    @Path("contacts/{id}/escalations")
    @RolesAllowed({"agent", "supervisor", "analyst"})
    public Uni<ContactEscalations> ofContact(@PathParam("id") String id) {
        name("id", id);
        return Completion.regardlessOfClient(() -> Panache.withSession(() -> repository.ofContact(id)
                .chain(list -> repository.decisionsOfContact(id)
                        .chain(decisions -> repository.complaint(id).map(k -> {
                            if (list.isEmpty() && k == null) {
                                throw ProblemException.notFound("escalations or complaint of contact " + id);
                            }
                            return new ContactEscalations(id, list.stream().map(EscalationView::of).toList(),
                                    decisions.stream().map(DecisionView::of).toList(),
                                    k == null ? null : ComplaintView.of(k));
                        })))));
    }

    /**
     * Takes an escalation: it stops climbing. Acknowledging one already acknowledged answers it as it
     * stands (a retry is harmless); a resolved one answers 409.
     */
    @POST
    @Path("escalations/{id}/acknowledge")
    @RolesAllowed({"agent", "supervisor"})
    public Uni<EscalationView> acknowledge(@PathParam("id") String id, SecurityContext security) {
        name("id", id);
        String by = security.getUserPrincipal().getName();
        return Completion.regardlessOfClient(() -> Panache.withTransaction(() -> escalations.acknowledge(id, by)))
                .invoke(a -> {
                    clock.schedule(a.moved());
                    if (a.changed()) {
                        relay.wake();
                    }
                })
                .map(a -> EscalationView.of(a.escalation()));
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

    private static void name(String field, String value) {
        if (value != null && (value.length() > MAX_NAME || value.chars().anyMatch(ch -> ch < 0x20))) {
            throw ProblemException.badField(field, "must be at most " + MAX_NAME + " characters without control characters");
        }
    }
}
