package dev.pledge.feedback.rest;

import jakarta.annotation.security.PermitAll;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.CookieParam;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;

/** Signing in to the dashboard in a browser: a token pasted once, kept in the dashboard's cookie. */
@Path("/")
public class SignInResource {
    private final SignInPage page;
    private final DashboardCookies cookies;

    public SignInResource(SignInPage page, DashboardCookies cookies) {
        this.page = page;
        this.cookies = cookies;
    }

    @GET
    @Path("dashboard/sign-in")
    @PermitAll
    @Produces(MediaType.TEXT_HTML)
    public Response signInForm() {
        return page.form(Response.Status.OK, null);
    }

    /**
     * Keeps the token in the dashboard's cookie ({@link DashboardCookies}) and goes to the dashboard; the
     * token is checked there, as on every request. The form must be one this site served to this browser.
     */
    @POST
    @Path("dashboard/sign-in")
    @PermitAll
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @Produces(MediaType.TEXT_HTML)
    public Response signIn(@FormParam("token") String token, @FormParam("form") String form,
            @CookieParam(DashboardCookies.SIGN_IN) String formCookie) {
        if (!DashboardCookies.sameForm(formCookie, form)) {
            return page.form(Response.Status.FORBIDDEN, "This sign-in form expired or was sent from another site: sign in here.");
        }
        if (token == null || token.isBlank() || token.length() > 8192 || !token.strip().matches("[A-Za-z0-9_\\-.]+")) {
            return page.form(Response.Status.BAD_REQUEST, "That is not a token: paste the output of ./pledge token supervisor.");
        }
        return Response.seeOther(URI.create("/dashboard")).cookie(cookies.token(token.strip()), cookies.signInSpent())
                .build();
    }
}
