package dev.pledge.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.smallrye.jwt.auth.principal.JWTAuthContextInfo;
import io.smallrye.jwt.auth.principal.ParseException;
import io.smallrye.jwt.build.Jwt;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.Test;

class VerifiedTokensTest {
    static final String ISSUER = "https://pledge.test/issuer";
    static final KeyPair KEYS = keys();

    final VerifiedTokens tokens = new VerifiedTokens(config());

    @Test
    void aTokenIsVerifiedOnceAndRememberedForItsLifetime() throws Exception {
        String token = token(Instant.now().plusSeconds(3600));
        var first = tokens.parse(token);
        assertThat(first.getName()).isEqualTo("tester");
        assertThat(tokens.parse(token)).isSameAs(first);
    }

    @Test
    void aTokenDifferingInItsSignatureIsVerifiedAfreshAndRefused() throws Exception {
        String token = token(Instant.now().plusSeconds(3600));
        tokens.parse(token);
        String tampered = token.substring(0, token.length() - 2) + (token.endsWith("AA") ? "BB" : "AA");
        assertThatThrownBy(() -> tokens.parse(tampered)).isInstanceOf(ParseException.class);
        String signedByAnother = Jwt.issuer(ISSUER).upn("tester").expiresAt(Instant.now().plusSeconds(3600))
                .sign(keys().getPrivate());
        assertThatThrownBy(() -> tokens.parse(signedByAnother)).isInstanceOf(ParseException.class);
    }

    @Test
    void aRememberedTokenIsRefusedOnceItExpires() throws Exception {
        // 5 s to live: with 2 s, the first parse (keys loaded, verifier compiled) came after exp on a busy machine.
        String token = token(Instant.now().plusSeconds(5));
        tokens.parse(token);
        // Remembered until its exp, refused from then on (no leeway configured here).
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).pollInterval(java.time.Duration.ofMillis(100))
                .until(() -> {
                    try {
                        tokens.parse(token);
                        return false;
                    } catch (ParseException e) {
                        return true;
                    }
                });
        assertThat(Instant.now()).isAfterOrEqualTo(expiry(token));
        assertThatThrownBy(() -> tokens.parse(token)).isInstanceOf(ParseException.class);
    }

    @Test
    void aFailureIsNotRemembered() {
        assertThatThrownBy(() -> tokens.parse("not.a.token")).isInstanceOf(ParseException.class);
        assertThatThrownBy(() -> tokens.parse("not.a.token")).isInstanceOf(ParseException.class);
    }

    private static Instant expiry(String token) {
        String claims = new String(java.util.Base64.getUrlDecoder().decode(token.split("\\.")[1]));
        return Instant.ofEpochSecond(Long.parseLong(claims.replaceAll(".*\"exp\":(\\d+).*", "$1")));
    }

    private static String token(Instant expires) {
        return Jwt.issuer(ISSUER).upn("tester").groups(Set.of("intake")).issuedAt(Instant.now()).expiresAt(expires)
                .sign(KEYS.getPrivate());
    }

    private static JWTAuthContextInfo config() {
        JWTAuthContextInfo info = new JWTAuthContextInfo(KEYS.getPublic(), ISSUER);
        info.setExpGracePeriodSecs(0); // no leeway: the test sees the expiry itself
        info.setClockSkew(0);
        return info;
    }

    private static KeyPair keys() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
            g.initialize(2048);
            return g.generateKeyPair();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
