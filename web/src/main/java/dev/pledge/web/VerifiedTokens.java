package dev.pledge.web;

import io.smallrye.jwt.auth.principal.DefaultJWTParser;
import io.smallrye.jwt.auth.principal.JWTAuthContextInfo;
import io.smallrye.jwt.auth.principal.ParseException;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Alternative;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * Bearer tokens verified once, then remembered until they expire. A front end sends the same token
 * with every request for its lifetime, and checking its RSA signature each time was a fifth of
 * intake's CPU under load. The cache is keyed by the whole token, signature included: a token that
 * differs in any byte is verified afresh, and a failure is never remembered. Quarkus's JWT
 * validator calls {@link #parse(String)}; this bean takes the place of smallrye-jwt's parser
 * (and inherits its configuration: key, issuer, audience).
 */
@Alternative
@Priority(1)
@ApplicationScoped
public class VerifiedTokens extends DefaultJWTParser {
    /** Distinct live tokens remembered at most; past it, expired ones are dropped, then all if need be. */
    static final int MAX_TOKENS = 10_000;

    private record Verified(JsonWebToken token, long expiresAtSeconds) {
    }

    private final ConcurrentHashMap<String, Verified> verified = new ConcurrentHashMap<>();

    /** As Quarkus makes it: smallrye-jwt's configuration is injected into the parser's fields. */
    public VerifiedTokens() {
    }

    /** With a configuration of its own (tests). */
    VerifiedTokens(JWTAuthContextInfo config) {
        super(config);
    }

    @Override
    public JsonWebToken parse(String token) throws ParseException {
        long now = System.currentTimeMillis() / 1000;
        Verified v = verified.get(token);
        if (v != null) {
            if (now < v.expiresAtSeconds()) {
                return v.token();
            }
            verified.remove(token, v);
        }
        JsonWebToken jwt = super.parse(token);
        long expires = jwt.getExpirationTime();
        if (expires > now) {
            if (verified.size() >= MAX_TOKENS) {
                verified.values().removeIf(e -> e.expiresAtSeconds() <= now);
                if (verified.size() >= MAX_TOKENS) {
                    verified.clear();
                }
            }
            verified.put(token, new Verified(jwt, expires));
        }
        return jwt;
    }
}
