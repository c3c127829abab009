package dev.pledge.feedback.rest;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pledge.feedback.service.Dashboard;
import dev.pledge.web.Completion;
import io.quarkus.qute.Template;
import io.quarkus.qute.TemplateInstance;
import io.quarkus.security.identity.CurrentIdentityAssociation;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.PermitAll;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;

/**
 * The support lead's page: server-rendered (Qute) with the figures of {@link Dashboard}, charts drawn by
 * chart.js from the webjar, refreshed by polling {@code /dashboard/data}. A browser sends its token in
 * the {@code pledge_token} cookie, which {@code /dashboard/sign-in} sets ({@link SignInResource}); API clients
 * send a bearer token.
 */
@Path("/")
public class DashboardResource {
    private static final String[] ROLES = {"supervisor", "analyst"};

    private final Dashboard dashboard;
    private final Template dashboardPage;
    private final ObjectMapper json;

    private final CurrentIdentityAssociation identity;
    private final SignInPage signIn;

    public DashboardResource(Dashboard dashboard, @io.quarkus.qute.Location("dashboard.html") Template dashboardPage,
            ObjectMapper json, CurrentIdentityAssociation identity, SignInPage signIn) {
        this.identity = identity;
        this.signIn = signIn;
        this.dashboard = dashboard;
        this.dashboardPage = dashboardPage;
        this.json = json;
    }

    /** Without a token a browser is sent to sign in; with the wrong role it is told so. */
    @GET
    @Path("dashboard")
    @PermitAll
    @Produces(MediaType.TEXT_HTML)
    public Uni<Response> page() {
        // authentication is lazy (quarkus.http.auth.proactive=false): ask for the identity, cookie or header
        return identity.getDeferredIdentity().onFailure().recoverWithNull().chain(who -> {
            if (who == null || who.isAnonymous()) {
                return Uni.createFrom().item(Response.seeOther(URI.create("/dashboard/sign-in")).build());
            }
            if (java.util.Arrays.stream(ROLES).noneMatch(who::hasRole)) {
                return Uni.createFrom().item(signIn.form(Response.Status.FORBIDDEN,
                        "Your token's role may not see the dashboard: it needs supervisor or analyst."));
            }
            return render();
        });
    }

    private Uni<Response> render() {
        return Completion.regardlessOfClient(dashboard::read).map(data -> {
            String embedded;
            try {
                embedded = json.writeValueAsString(data).replace("</", "<\\/");
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
            TemplateInstance page = dashboardPage.data("d", data).data("json", embedded);
            return Response.ok(page.render(), MediaType.TEXT_HTML).build();
        });
    }

    @GET
    @Path("dashboard/data")
    @RolesAllowed({"supervisor", "analyst"})
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<Dashboard.Data> data() {
        return Completion.regardlessOfClient(dashboard::read);
    }

}
