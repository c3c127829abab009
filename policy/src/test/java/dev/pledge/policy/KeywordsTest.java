package dev.pledge.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pledge.events.Channel;
import java.text.Normalizer;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class KeywordsTest {
    private static boolean matches(String keyword, String text) {
        return Keywords.of(List.of(keyword)).matchesAny(Keywords.Text.of(text));
    }

    @Test
    void aKeywordMatchesOnlyWholeWords() {
        assertThat(matches("court", "See you in court!")).isTrue();
        assertThat(matches("court", "Thank you, your agent was most courteous")).isFalse();
        assertThat(matches("sue", "I will sue.")).isTrue();
        assertThat(matches("sue", "Sue from accounts called; no issue")).isTrue(); // a name is a word too
        assertThat(matches("sue", "there is an issue with my pursuer")).isFalse();
    }

    @Test
    void aPhraseMatchesItsWordsInOrderWhateverTheSpacingAndPunctuation() {
        assertThat(matches("legal action", "...or I take LEGAL\n  action.")).isTrue();
        assertThat(matches("legal action", "illegal actions everywhere")).isFalse();
        assertThat(matches("legal action", "action, legal")).isFalse();
        assertThat(matches("can't log in", "I CAN'T log-in since Monday")).isTrue();
    }

    @Test
    void caseAndAccentsDoNotMatter() {
        assertThat(matches("mediateur", "Je saisis le Médiateur")).isTrue();
        assertThat(matches("Médiateur", "le mediateur")).isTrue();
        assertThat(matches("straße", "STRASSE")).isFalse(); // folding is accents and case, not spelling
        assertThat(matches("ombudsman", "")).isFalse();
    }

    @Test
    void aPoliteThankYouIsNotALegalThreat() {
        Policy policy = PolicyLoader.defaultPolicy();
        Policy.Classified polite = policy.classify(Channel.EMAIL, "standard", "Thanks",
                "Your agent was courteous and the issue is solved", null, null);
        assertThat(polite.team()).isNotEqualTo("legal");
        assertThat(polite.rule()).isNull();
        Policy.Classified threat = policy.classify(Channel.EMAIL, "standard", "Complaint",
                "I have instructed my solicitor.", null, null);
        assertThat(threat.team()).isEqualTo("legal");
    }

    @Test
    void textsSplitIntoTheWordsOfUnicodeLettersAndNumbersWithoutAccentsInLowerCase() {
        for (String text : List.of("", "   ", "Hello, World!", "order #4521 (2x)", "...leading and trailing...",
                "Je saisis le Médiateur", "ÉLÈVE çà et là", "İstanbul", "Straße", "naïve café", "Ⅻ chapters, x² and ٣ apples",
                "日本語のテキスト", "emoji 🙂 between", "tab\tnew\nline", "under_score-dash", "Ǆemal", "ﬁle ligature")) {
            assertThat(Keywords.words(text)).as(text).containsExactly(regexWords(text));
        }
    }

    /** The definition the hand-written split must keep: NFD, marks removed, lower case, split on [^\p{L}\p{N}]+. */
    private static String[] regexWords(String text) {
        String folded = Pattern.compile("\\p{M}+").matcher(Normalizer.normalize(text, Normalizer.Form.NFD)).replaceAll("")
                .toLowerCase(Locale.ROOT);
        return Arrays.stream(folded.split("[^\\p{L}\\p{N}]+")).filter(w -> !w.isEmpty()).toArray(String[]::new);
    }
}
