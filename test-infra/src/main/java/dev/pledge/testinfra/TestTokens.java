package dev.pledge.testinfra;

import io.smallrye.jwt.build.Jwt;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Base64;
import java.util.Set;

/**
 * Real signed JWTs for tests. The key pair is made once per JVM; {@link PledgeServers} hands the
 * public key to the service, so tokens are verified exactly as in production.
 */
public final class TestTokens {
    public static final String ISSUER = "https://pledge.test/issuer";
    /** The audience every Pledge service requires ({@code mp.jwt.verify.audiences}). */
    public static final String AUDIENCE = "pledge";
    private static final KeyPair KEYS = generate();

    /** A token for user {@code tester} with the given roles. */
    public static String forRoles(String... roles) {
        return forAudience(AUDIENCE, roles);
    }

    /** A token for user {@code tester}, issued for another API when {@code audience} is not {@link #AUDIENCE}. */
    public static String forAudience(String audience, String... roles) {
        return forSubject("tester", audience, roles);
    }

    /** A token for another caller: idempotency keys are scoped to the token's subject. */
    public static String forSubject(String subject, String audience, String... roles) {
        return Jwt.issuer(ISSUER).upn(subject).audience(audience).groups(Set.of(roles)).expiresIn(Duration.ofHours(1))
                .sign(KEYS.getPrivate());
    }

    /** A token signed by another key: must be refused. */
    public static String foreign(String role) {
        return Jwt.issuer(ISSUER).upn("intruder").audience(AUDIENCE).groups(Set.of(role)).sign(generate().getPrivate());
    }

    static String publicKeyBase64() {
        return Base64.getEncoder().encodeToString(KEYS.getPublic().getEncoded());
    }

    private static KeyPair generate() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            return generator.generateKeyPair();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private TestTokens() {
    }
}
