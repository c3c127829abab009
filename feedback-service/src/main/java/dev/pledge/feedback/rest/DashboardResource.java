package dev.pledge.feedback.rest;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pledge.feedback.service.Dashboard;
import dev.pledge.feedback.service.WhatIf;
import dev.pledge.web.Completion;
import dev.pledge.web.Period;
import dev.pledge.web.ProblemException;
import dev.pledge.web.RequestParameters;
import io.quarkus.qute.Template;
import io.quarkus.qute.TemplateInstance;
import io.quarkus.security.identity.CurrentIdentityAssociation;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.PermitAll;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.CookieParam;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * The support lead's page: server-rendered (Qute) with the figures of {@link Dashboard}, charts drawn by
 * chart.js from the webjar, refreshed by polling {@code /dashboard/data}. A browser sends its token in
 * the {@code pledge_token} cookie, which {@code /dashboard/sign-in} sets; API clients send a bearer token.
 */
@Path("/dashboard")
public class DashboardResource {
    private static final String[] ROLES = {"supervisor", "analyst"};

    private final Dashboard dashboard;
    private final Template dashboardPage;
    private final Template signIn;
    private final ObjectMapper json;

    private final CurrentIdentityAssociation identity;
    private final DashboardCookies cookies;
    private final WhatIf whatIf;

    public DashboardResource(Dashboard dashboard, @io.quarkus.qute.Location("dashboard.html") Template dashboardPage,
            @io.quarkus.qute.Location("sign-in.html") Template signIn, ObjectMapper json,
            CurrentIdentityAssociation identity, DashboardCookies cookies, WhatIf whatIf) {
        this.whatIf = whatIf;
        this.identity = identity;
        this.cookies = cookies;
        this.dashboard = dashboard;
        this.dashboardPage = dashboardPage;
        this.signIn = signIn;
        this.json = json;
    }

    /** Without a token a browser is sent to sign in; with the wrong role it is told so. */
    @GET
    @PermitAll
    @Produces(MediaType.TEXT_HTML)
    public Uni<Response> page() {
        // authentication is lazy (quarkus.http.auth.proactive=false): ask for the identity, cookie or header
        return identity.getDeferredIdentity().onFailure().recoverWithNull().chain(who -> {
            if (who == null || who.isAnonymous()) {
                return Uni.createFrom().item(Response.seeOther(URI.create("/dashboard/sign-in")).build());
            }
            if (java.util.Arrays.stream(ROLES).noneMatch(who::hasRole)) {
                return Uni.createFrom().item(form(Response.Status.FORBIDDEN,
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
    @Path("data")
    @RolesAllowed({"supervisor", "analyst"})
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<Dashboard.Data> data() {
        return Completion.regardlessOfClient(dashboard::read);
    }

    /**
     * The dashboard's what-if panel: a replay of the last {@code days} days under the candidate in the body
     * (empty: the versions in force), as {@code POST /insights/what-if} starts one, for the signed-in caller.
     */
    @POST
    @Path("what-if")
    @RolesAllowed({"supervisor", "analyst"})
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<Response> whatIf(byte[] body, @QueryParam("days") @DefaultValue("30") String daysParam,
            @Context SecurityContext caller) {
        int days = RequestParameters.wholeNumber("days", daysParam);
        if (days < 1 || days > 400) {
            throw ProblemException.badField("days", "must be a whole number of days, 1 to 400");
        }
        Instant to = Instant.now().truncatedTo(ChronoUnit.SECONDS).plusSeconds(1);
        return AnalyticsResource.start(whatIf, body, new Period(to.minus(Duration.ofDays(days)), to),
                caller.getUserPrincipal().getName(), "/dashboard/what-if/");
    }

    @GET
    @Path("what-if/{id}")
    @RolesAllowed({"supervisor", "analyst"})
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<WhatIf.JobView> whatIfJob(@PathParam("id") String id, @Context SecurityContext caller) {
        return Completion.regardlessOfClient(() -> whatIf.job(id, caller.getUserPrincipal().getName()))
                .map(job -> job.orElseThrow(() -> ProblemException.notFound("what-if " + id)));
    }

    @GET
    @Path("sign-in")
    @PermitAll
    @Produces(MediaType.TEXT_HTML)
    public Response signInForm() {
        return form(Response.Status.OK, null);
    }

    /**
     * Keeps the token in the dashboard's cookie ({@link DashboardCookies}) and goes to the dashboard; the
     * token is checked there, as on every request. The form must be one this site served to this browser.
     */
    @POST
    @Path("sign-in")
    @PermitAll
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @Produces(MediaType.TEXT_HTML)
    public Response signIn(@FormParam("token") String token, @FormParam("form") String form,
            @CookieParam(DashboardCookies.SIGN_IN) String formCookie) {
        if (!DashboardCookies.sameForm(formCookie, form)) {
            return form(Response.Status.FORBIDDEN, "This sign-in form expired or was sent from another site: sign in here.");
        }
        if (token == null || token.isBlank() || token.length() > 8192 || !token.strip().matches("[A-Za-z0-9_\\-.]+")) {
            return form(Response.Status.BAD_REQUEST, "That is not a token: paste the output of ./pledge token supervisor.");
        }
        return Response.seeOther(URI.create("/dashboard")).cookie(cookies.token(token.strip()), cookies.signInSpent())
                .build();
    }

    /** The sign-in page with a fresh form value, in the page and in its cookie. */
    private Response form(Response.Status status, String message) {
        String value = DashboardCookies.newSignInValue();
        return Response.status(status).type(MediaType.TEXT_HTML).cookie(cookies.signIn(value))
                .entity(signIn.data("message", message).data("form", value).render()).build();
    }
}
