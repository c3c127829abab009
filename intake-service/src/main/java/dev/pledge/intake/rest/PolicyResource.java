package dev.pledge.intake.rest;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonRawValue;
import dev.pledge.web.ProblemException;
import dev.pledge.intake.PolicyVersion;
import dev.pledge.intake.repository.PolicyVersionRepository;
import dev.pledge.intake.service.PolicyService;
import dev.pledge.web.Completion;
import dev.pledge.web.Paging;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import dev.pledge.policy.PolicyLoader;
import jakarta.annotation.security.PermitAll;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

/** The policy document: read the version in force, its history, and publish a new one. */
@Path("/policy")
@Produces(MediaType.APPLICATION_JSON)
public class PolicyResource {
    private final PolicyService policies;
    private final PolicyVersionRepository versions;

    public PolicyResource(PolicyService policies, PolicyVersionRepository versions) {
        this.policies = policies;
        this.versions = versions;
    }

    /** A version; {@code document} is the policy as JSON, {@code source} the text as it was sent. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record VersionView(int version, Instant publishedAt, String publishedBy, String sha256,
            @JsonRawValue String document, String source) {
        static VersionView of(PolicyVersion v, boolean full) {
            return new VersionView(v.version, v.publishedAt, v.publishedBy, v.sha256, full ? v.document : null,
                    full ? v.source : null);
        }
    }

    @GET
    @RolesAllowed({"intake", "agent", "supervisor", "policy-admin", "analyst"})
    public VersionView current() {
        return VersionView.of(policies.current().row(), true);
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
    public Uni<List<VersionView>> history(@QueryParam("page") @DefaultValue("0") String page,
            @QueryParam("size") @DefaultValue("50") String size) {
        Paging paging = Paging.of(page, size, MAX_PAGE_SIZE);
        return Completion.regardlessOfClient(() -> Panache.withSession(() -> versions.history(paging)))
                .map(list -> list.stream().map(v -> new VersionView(v.version(), v.publishedAt(), v.publishedBy(),
                        v.sha256(), null, null)).toList());
    }

    @GET
    @Path("/versions/{version}")
    @RolesAllowed({"supervisor", "policy-admin", "analyst"})
    public Uni<VersionView> version(@PathParam("version") int version) {
        return Completion.regardlessOfClient(() -> Panache.withSession(() -> versions.findById(version))).map(v -> {
            if (v == null) {
                throw ProblemException.notFound("policy version " + version);
            }
            return VersionView.of(v, true);
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
                return Response.ok(VersionView.of(v, false)).build();
            }
            return Response.created(URI.create("/policy/versions/" + v.version)).entity(VersionView.of(v, false)).build();
        });
    }
}
