package dev.pledge.outcomes;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pledge.events.Channel;
import dev.pledge.events.ContactStatus;
import dev.pledge.events.SurveyKind;
import dev.pledge.policy.Policy;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class SurveyChoiceTest {
    static Policy.Survey survey(SurveyKind kind, Set<Channel> channels, double sampling) {
        return new Policy.Survey(kind, ContactStatus.RESOLVED, channels, Duration.ofMinutes(10), Duration.ofDays(2), sampling);
    }

    @Test
    void theFirstSurveyThatMatchesAndIsDrawnIsTheOne() {
        List<Policy.Survey> surveys = List.of(survey(SurveyKind.NPS, Set.of(), 0.0),
                survey(SurveyKind.CES, Set.of(Channel.CHAT, Channel.PHONE), 1.0), survey(SurveyKind.CSAT, Set.of(), 1.0));
        assertThat(SurveyChoice.choose(surveys, "c-1", ContactStatus.RESOLVED, Channel.CHAT)).get()
                .extracting(Policy.Survey::kind).isEqualTo(SurveyKind.CES);
        assertThat(SurveyChoice.choose(surveys, "c-1", ContactStatus.RESOLVED, Channel.EMAIL)).get()
                .extracting(Policy.Survey::kind).isEqualTo(SurveyKind.CSAT);
        assertThat(SurveyChoice.choose(surveys, "c-1", ContactStatus.CLOSED, Channel.EMAIL)).isEmpty();
    }

    @Test
    void samplingDrawsTheSameForTheSameContactAndAboutItsShareOverMany() {
        int drawn = 0;
        for (int i = 0; i < 20_000; i++) {
            String id = UUID.randomUUID().toString();
            boolean first = SurveyChoice.drawn(id, SurveyKind.NPS, 0.2);
            assertThat(SurveyChoice.drawn(id, SurveyKind.NPS, 0.2)).isEqualTo(first);
            drawn += first ? 1 : 0;
        }
        assertThat(drawn / 20_000.0).isBetween(0.18, 0.22);
        assertThat(SurveyChoice.drawn("c-1", SurveyKind.CSAT, 1.0)).isTrue();
        assertThat(SurveyChoice.drawn("c-1", SurveyKind.CSAT, 0.0)).isFalse();
    }
}
