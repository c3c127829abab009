package dev.pledge.feedback.rest;

import io.quarkus.qute.Location;
import io.quarkus.qute.Template;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** The dashboard's sign-in page, with a fresh single-use form value in the page and in its cookie. */
@ApplicationScoped
public class SignInPage {
    private final Template signIn;
    private final DashboardCookies cookies;

    public SignInPage(@Location("sign-in.html") Template signIn, DashboardCookies cookies) {
        this.signIn = signIn;
        this.cookies = cookies;
    }

    /** The page, with this status and message (null: none). */
    Response form(Response.Status status, String message) {
        String value = DashboardCookies.newSignInValue();
        return Response.status(status).type(MediaType.TEXT_HTML).cookie(cookies.signIn(value))
                .entity(signIn.data("message", message).data("form", value).render()).build();
    }
}
