package dev.pledge.intake.rest;

import dev.pledge.intake.service.PolicyService;
import dev.pledge.policy.PolicyLoader;
import dev.pledge.web.Completion;
import dev.pledge.web.Paging;
import dev.pledge.web.ProblemException;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.PermitAll;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** The policy document: read the version in force, its history, and publish a new one. */
@Path("/policy")
@Produces(MediaType.APPLICATION_JSON)
public class PolicyResource {
    private final PolicyService policies;

    public PolicyResource(PolicyService policies) {
        this.policies = policies;
    }

    @GET
    @RolesAllowed({"intake", "agent", "supervisor", "policy-admin", "analyst"})
    public PolicyVersionView current() {
        return PolicyVersionView.of(policies.current().row(), true);
    }

    /**
     * The JSON Schema of the policy document, for editors that validate while people type (e.g. a
     * {@code # yaml-language-server: $schema=http://.../policy/schema} line). Public: it describes the
     * format, not any company's policy.
     */
    @GET
    @Path("/schema")
    @PermitAll
    @Produces({"application/schema+json", MediaType.APPLICATION_JSON})
    public Response schema() {
        return Response.ok(SCHEMA).build();
    }

    private static final String SCHEMA = PolicyLoader.schemaText();

    /** The largest page of {@code GET /policy/versions}. */
    static final int MAX_PAGE_SIZE = 200;

    /** The versions, newest first, a page at a time, without documents ({@code GET /policy/versions/{n}} has it). */
    @GET
    @Path("/versions")
    @RolesAllowed({"supervisor", "policy-admin", "analyst"})
    public Uni<List<PolicyVersionView>> history(@QueryParam("page") @DefaultValue("0") String page,
            @QueryParam("size") @DefaultValue("50") String size) {
        Paging paging = Paging.of(page, size, MAX_PAGE_SIZE);
        return Completion.regardlessOfClient(() -> policies.history(paging))
                .map(list -> list.stream().map(PolicyVersionView::of).toList());
    }

    @GET
    @Path("/versions/{version}")
    @RolesAllowed({"supervisor", "policy-admin", "analyst"})
    public Uni<PolicyVersionView> version(@PathParam("version") int version) {
        return Completion.regardlessOfClient(() -> policies.version(version)).map(v -> {
            if (v == null) {
                throw ProblemException.notFound("policy version " + version);
            }
            return PolicyVersionView.of(v, true);
        });
    }

    /**
     * Publishes a new version from YAML or JSON: 201 with its number, or 422 listing every error by
     * path while the version in force stays. Sending the policy in force again changes nothing (200).
     */
    @PUT
    @RolesAllowed("policy-admin")
    @Consumes({"application/yaml", "application/x-yaml", "text/yaml", MediaType.APPLICATION_JSON, MediaType.TEXT_PLAIN})
    public Uni<Response> publish(byte[] body, SecurityContext security) {
        String source = new String(body, StandardCharsets.UTF_8);
        String by = security.getUserPrincipal() == null ? "unknown" : security.getUserPrincipal().getName();
        int before = policies.current().version();
        return Completion.regardlessOfClient(() -> policies.publish(source, by)).map(v -> {
            if (v.version == before) {
                return Response.ok(PolicyVersionView.of(v, false)).build();
            }
            return Response.created(URI.create("/policy/versions/" + v.version)).entity(PolicyVersionView.of(v, false)).build();
        });
    }
}
