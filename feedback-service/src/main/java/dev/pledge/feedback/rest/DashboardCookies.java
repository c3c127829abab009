package dev.pledge.feedback.rest;

import dev.pledge.feedback.config.FeedbackConfig;
import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.ws.rs.core.NewCookie;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The dashboard's two cookies, and the rule that only the dashboard reads them.
 * <ul>
 * <li>{@value #TOKEN}: the JWT a browser signed in with, HttpOnly, SameSite=Strict, {@code Secure} unless
 * configured off, path {@code /dashboard}. Every other path has its {@code Cookie} header removed before
 * authentication, so the APIs take a bearer token only.</li>
 * <li>{@value #SIGN_IN}: a random value the sign-in form repeats in a hidden field (double submit). A form
 * posted from another site carries neither (SameSite=Strict), so nobody can sign a browser in with their own
 * token (login CSRF).</li>
 * </ul>
 */
@ApplicationScoped
public class DashboardCookies {
    public static final String TOKEN = "pledge_token";
    public static final String SIGN_IN = "pledge_sign_in";
    private static final String PATH = "/dashboard";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final boolean secure;

    public DashboardCookies(FeedbackConfig config) {
        this.secure = config.secureCookies();
    }

    /** Installed first on the router: outside the dashboard no cookie reaches authentication. */
    void onlyTheDashboardReadsCookies(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE).handler(rc -> {
            String path = rc.request().path();
            if (path != null && !path.equals(PATH) && !path.startsWith(PATH + "/")) {
                rc.request().headers().remove("Cookie");
            }
            rc.next();
        });
    }

    NewCookie token(String value) {
        return cookie(TOKEN, value, 8 * 3600);
    }

    /** A fresh sign-in value, for the form's hidden field and its cookie. */
    static String newSignInValue() {
        byte[] bytes = new byte[24];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    NewCookie signIn(String value) {
        return cookie(SIGN_IN, value, 3600);
    }

    NewCookie signInSpent() {
        return cookie(SIGN_IN, "", 0);
    }

    /** The form's value matches its cookie: the form was served by this site to this browser. */
    static boolean sameForm(String cookie, String field) {
        return cookie != null && field != null && !cookie.isEmpty()
                && MessageDigest.isEqual(cookie.getBytes(StandardCharsets.UTF_8), field.getBytes(StandardCharsets.UTF_8));
    }

    private NewCookie cookie(String name, String value, int maxAge) {
        return new NewCookie.Builder(name).value(value).path(PATH).httpOnly(true).secure(secure)
                .sameSite(NewCookie.SameSite.STRICT).maxAge(maxAge).build();
    }
}
