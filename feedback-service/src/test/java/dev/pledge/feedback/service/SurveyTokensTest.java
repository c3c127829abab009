package dev.pledge.feedback.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pledge.events.SurveyKind;
import java.util.List;
import java.time.Instant;
import java.util.Base64;
import java.util.UUID;
import org.junit.jupiter.api.Test;

public class SurveyTokensTest {
    /** Tokens signed with this key, as the service signs them. */
    public static SurveyTokens tokens(String key) {
        return new SurveyTokens(key);
    }

    static final String KEY = Base64.getEncoder().encodeToString("0123456789abcdef0123456789abcdef".getBytes());
    final SurveyTokens tokens = tokens(KEY);

    @Test
    void aTokenSaysWhichSurveyWhichKindAndUntilWhen() {
        UUID id = UUID.randomUUID();
        Instant expires = Instant.parse("2026-12-09T10:15:30Z");
        SurveyTokens.Claims claims = tokens.verify(tokens.sign(id, SurveyKind.NPS, expires));
        assertThat(claims).isEqualTo(new SurveyTokens.Claims(id, SurveyKind.NPS, expires));
    }

    @Test
    void anyChangeOrAnotherKeyIsAForgery() {
        String token = tokens.sign(UUID.randomUUID(), SurveyKind.CSAT, Instant.now().plusSeconds(60));
        String[] parts = token.split("\\.");
        // the payload of another survey under this signature
        String other = tokens.sign(UUID.randomUUID(), SurveyKind.CSAT, Instant.now().plusSeconds(60)).split("\\.")[0];
        assertThatThrownBy(() -> tokens.verify(other + "." + parts[1])).isInstanceOf(SurveyTokens.Forged.class);
        // a later expiry written in by hand
        String later = Base64.getUrlEncoder().withoutPadding().encodeToString(new String(Base64.getUrlDecoder()
                .decode(parts[0])).replaceAll("\\|\\d+$", "|9999999999").getBytes());
        assertThatThrownBy(() -> tokens.verify(later + "." + parts[1])).isInstanceOf(SurveyTokens.Forged.class);
        // signed elsewhere
        String foreign = tokens(Base64.getEncoder().encodeToString("another-key-of-32-bytes-at-least!".getBytes()))
                .sign(UUID.randomUUID(), SurveyKind.CSAT, Instant.now().plusSeconds(60));
        assertThatThrownBy(() -> tokens.verify(foreign)).isInstanceOf(SurveyTokens.Forged.class);
        for (String junk : new String[] {"", ".", "abc", "a.b.c", "!!!.???", "x".repeat(500), parts[0]}) {
            assertThatThrownBy(() -> tokens.verify(junk)).as(junk).isInstanceOf(SurveyTokens.Forged.class);
        }
        assertThatThrownBy(() -> tokens.verify(null)).isInstanceOf(SurveyTokens.Forged.class);
    }

    @Test
    void aShortOrUnreadableKeyStopsTheServiceAtStart() {
        assertThatThrownBy(() -> tokens(Base64.getEncoder().encodeToString("short".getBytes())))
                .hasMessageContaining("at least 32 bytes");
        assertThatThrownBy(() -> tokens("not base64 !!")).hasMessageContaining("base64");
    }

    @Test
    void theDevelopmentKeyServesOnlyTheDevAndTestProfiles() {
        assertThat(SurveyTokens.keyFor(null, List.of("dev"))).isEqualTo(SurveyTokens.DEV_KEY);
        assertThat(SurveyTokens.keyFor("", List.of("test"))).isEqualTo(SurveyTokens.DEV_KEY);
        assertThat(SurveyTokens.keyFor(KEY, List.of("prod"))).isEqualTo(KEY);
        assertThatThrownBy(() -> SurveyTokens.keyFor(null, List.of("prod")))
                .hasMessageContaining("PLEDGE_FEEDBACK_TOKEN_KEY is not set");
        assertThatThrownBy(() -> SurveyTokens.keyFor(" " + SurveyTokens.DEV_KEY, List.of("prod")))
                .hasMessageContaining("public development key");
    }

    @Test
    void aContactsSurveyIdIsStableButNeedsTheKey() {
        assertThat(tokens.surveyId("c-1")).isEqualTo(tokens(KEY).surveyId("c-1")).isNotEqualTo(tokens.surveyId("c-2"));
        String other = Base64.getEncoder().encodeToString("fedcba9876543210fedcba9876543210".getBytes());
        assertThat(tokens(other).surveyId("c-1")).isNotEqualTo(tokens.surveyId("c-1"));
        assertThat(tokens.surveyId("c-1")).isNotEqualTo(UUID.nameUUIDFromBytes("survey|c-1".getBytes()));
    }
}
