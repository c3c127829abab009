package dev.pledge.intake.rest;

import dev.pledge.intake.Contact;
import dev.pledge.intake.service.ActivityGroupCommit;
import dev.pledge.intake.service.ContactService;
import dev.pledge.intake.service.GroupCommit;
import dev.pledge.web.Callers;
import dev.pledge.web.Completion;
import dev.pledge.web.JsonBodies;
import dev.pledge.web.ProblemException;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;
import java.net.URI;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;

/** The front door for customer contacts from every channel. */
@Path("/contacts")
@Produces(MediaType.APPLICATION_JSON)
public class ContactResource {
    private final ContactService contacts;
    private final GroupCommit groupCommit;
    private final ActivityGroupCommit activityGroups;
    private final JsonBodies bodies;

    public ContactResource(ContactService contacts, GroupCommit groupCommit, ActivityGroupCommit activityGroups,
            JsonBodies bodies) {
        this.contacts = contacts;
        this.groupCommit = groupCommit;
        this.activityGroups = activityGroups;
        this.bodies = bodies;
    }

    /**
     * Accepts a contact: 202 once it and its event are committed. A retry with the same
     * {@code Idempotency-Key} (or {@code externalId}) answers the first answer and publishes nothing.
     */
    @POST
    @RolesAllowed("intake")
    @Consumes(MediaType.APPLICATION_JSON)
    @RequestBody(content = @Content(schema = @Schema(implementation = NewContact.class)))
    public Uni<Response> receive(byte[] body, @HeaderParam(IdempotencyKey.HEADER) String idempotencyKey,
            SecurityContext security) {
        String key = IdempotencyKey.read(idempotencyKey);
        NewContact request = bodies.read(body, NewContact.class);
        String caller = security.getUserPrincipal().getName();
        ContactService.Prepared prepared = contacts.prepare(request, key, caller);
        return Completion.regardlessOfClient(() -> groupCommit.receive(prepared))
                .map(c -> Response.accepted(ContactView.of(c)).location(URI.create("/contacts/" + c.id)).build());
    }

    /**
     * A contact as this caller may see it: agents and supervisors see every contact whole; a front end
     * ({@code intake}) only the contacts it sent (any other is 404, as one that does not exist); an analyst
     * sees it without personal data.
     */
    @GET
    @Path("/{id}")
    @RolesAllowed({"intake", "agent", "supervisor", "analyst"})
    public Uni<ContactView> get(@PathParam("id") String id, SecurityContext security) {
        return Completion.regardlessOfClient(() -> contacts.find(id)).map(c -> {
            if (c == null || !Callers.maySee(security, c.caller)) {
                throw ProblemException.notFound("contact " + id);
            }
            return Callers.seesPeople(security) || sentBy(c, security) ? ContactView.of(c)
                    : ContactView.withoutPersonalData(c);
        });
    }

    private static boolean sentBy(Contact c, SecurityContext security) {
        return security.isUserInRole("intake") && c.caller.equals(security.getUserPrincipal().getName());
    }

    /** Agent reply, customer reply, status change, or update (reassignment, priority, category, tier). */
    @POST
    @Path("/{id}/activities")
    @RolesAllowed({"intake", "agent", "supervisor"})
    @Consumes(MediaType.APPLICATION_JSON)
    @RequestBody(content = @Content(schema = @Schema(implementation = Activity.class)))
    public Uni<ContactView> activity(@PathParam("id") String id, byte[] body,
            @HeaderParam(IdempotencyKey.HEADER) String idempotencyKey, SecurityContext security) {
        String key = IdempotencyKey.read(idempotencyKey);
        Activity activity = bodies.read(body, Activity.class);
        String actor = security.getUserPrincipal() == null ? null : security.getUserPrincipal().getName();
        boolean frontEnd = security.isUserInRole("intake") && !Callers.seesPeople(security);
        String onlyOf = Callers.frontEndOnly(security) ? actor : null; // decided here: the group applies it elsewhere
        return Completion.regardlessOfClient(() -> activityGroups.apply(contacts.ask(id, activity, actor, frontEnd, key,
                        c -> onlyOf == null || onlyOf.equals(c.caller)))).map(ContactView::of);
    }
}
