package dev.pledge.feedback.service;

import dev.pledge.events.SurveyKind;
import dev.pledge.feedback.config.FeedbackConfig;
import io.quarkus.runtime.configuration.ConfigUtils;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Base64;
import java.util.UUID;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Survey tokens: {@code base64url(surveyId|kind|expiresAt epoch seconds) . base64url(HMAC-SHA256)}.
 * The token alone authorizes one answer to one survey: nothing in it can be changed without the key,
 * and single use is the database's rule (a survey is answered once).
 */
@ApplicationScoped
public class SurveyTokens {
    private static final Base64.Encoder ENCODE = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder DECODE = Base64.getUrlDecoder();
    /** A token is never longer than this; anything longer is refused before any work. */
    public static final int MAX_LENGTH = 200;

    /** What a valid token says. */
    public record Claims(UUID surveyId, SurveyKind kind, Instant expiresAt) {
    }

    /** A token that is not one this service signed, or was altered. */
    public static final class Forged extends RuntimeException {
        Forged(String message) {
            super(message);
        }
    }

    /** The key of the dev and test profiles only: it is public, so the service refuses it anywhere else. */
    static final String DEV_KEY = "cGxlZGdlLWxvY2FsLXN1cnZleS1rZXktbm90LWZvci1wcm9kdWN0aW9u";

    private final SecretKeySpec key;

    @Inject
    public SurveyTokens(FeedbackConfig config) {
        this(keyFor(config.tokenKey().orElse(null), ConfigUtils.getProfiles()));
    }

    /** Tokens signed with this key (base64, 32 bytes or more). */
    public SurveyTokens(String base64Key) {
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(base64Key.trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("pledge.feedback.token-key must be base64", e);
        }
        if (bytes.length < 32) {
            throw new IllegalStateException("pledge.feedback.token-key must hold at least 32 bytes, has " + bytes.length);
        }
        this.key = new SecretKeySpec(bytes, "HmacSHA256");
    }

    /** The configured key; the public dev key only under the dev or test profile, never in production. */
    static String keyFor(String configured, java.util.List<String> profiles) {
        boolean devOrTest = profiles.contains("dev") || profiles.contains("test");
        if (configured != null && !configured.isBlank()) {
            if (configured.trim().equals(DEV_KEY) && !devOrTest) {
                throw new IllegalStateException("PLEDGE_FEEDBACK_TOKEN_KEY is the public development key; set a key of"
                        + " your own (openssl rand -base64 32)");
            }
            return configured;
        }
        if (devOrTest) {
            return DEV_KEY;
        }
        throw new IllegalStateException("PLEDGE_FEEDBACK_TOKEN_KEY is not set: survey tokens need a secret key of at"
                + " least 32 bytes, base64 (openssl rand -base64 32); profiles " + profiles);
    }

    /** The survey id of this contact's survey: a keyed hash of the contact id, the same on every redelivery. */
    public UUID surveyId(String contactId) {
        return UUID.nameUUIDFromBytes(mac(("survey|" + contactId).getBytes(StandardCharsets.UTF_8)));
    }

    public String sign(UUID surveyId, SurveyKind kind, Instant expiresAt) {
        String payload = surveyId + "|" + kind.wire() + "|" + expiresAt.getEpochSecond();
        byte[] body = payload.getBytes(StandardCharsets.UTF_8);
        return ENCODE.encodeToString(body) + "." + ENCODE.encodeToString(mac(body));
    }

    /** The token's claims, if it was signed here and not altered; {@link Forged} otherwise. Expiry is the caller's. */
    public Claims verify(String token) {
        if (token == null || token.length() > MAX_LENGTH) {
            throw new Forged("not a survey token");
        }
        int dot = token.indexOf('.');
        if (dot <= 0 || dot != token.lastIndexOf('.')) {
            throw new Forged("not a survey token");
        }
        byte[] body;
        byte[] signature;
        try {
            body = DECODE.decode(token.substring(0, dot));
            signature = DECODE.decode(token.substring(dot + 1));
        } catch (IllegalArgumentException e) {
            throw new Forged("not a survey token");
        }
        if (!MessageDigest.isEqual(mac(body), signature)) {
            throw new Forged("the token's signature does not match: altered, or not issued here");
        }
        String[] parts = new String(body, StandardCharsets.UTF_8).split("\\|");
        try {
            return new Claims(UUID.fromString(parts[0]), SurveyKind.of(parts[1]),
                    Instant.ofEpochSecond(Long.parseLong(parts[2])));
        } catch (RuntimeException e) { // signed by us, so only an older format could get here
            throw new Forged("a survey token this version cannot read");
        }
    }

    private byte[] mac(byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return mac.doFinal(body);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
