package dev.pledge.policy;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Keywords and phrases matched as whole words: {@code court} matches "see you in court" but not
 * "courteous"; {@code legal action} matches "LEGAL  Action!" but not "illegal actions". Case and
 * accents do not matter ("Médiateur" matches {@code mediateur}). Classification and escalation rules
 * both match through this class, so the two never disagree on what a keyword means.
 */
public final class Keywords {
    private static final Pattern MARKS = Pattern.compile("\\p{M}+");
    private static final Pattern NOT_WORD = Pattern.compile("[^\\p{L}\\p{N}]+");

    private final List<String> phrases;
    private final List<String[]> tokens;

    private Keywords(List<String> phrases) {
        this.phrases = List.copyOf(phrases);
        this.tokens = phrases.stream().map(Keywords::words).filter(w -> w.length > 0).toList();
    }

    public static Keywords of(List<String> phrases) {
        return new Keywords(phrases);
    }

    public List<String> phrases() {
        return phrases;
    }

    public boolean isEmpty() {
        return tokens.isEmpty();
    }

    /** Whether any keyword or phrase occurs in the text as whole words. */
    public boolean matchesAny(Text text) {
        for (String[] phrase : tokens) {
            if (text.contains(phrase)) {
                return true;
            }
        }
        return false;
    }

    /** The phrases that occur in the text, in the order the policy lists them. */
    public List<String> matches(Text text) {
        List<String> found = new ArrayList<>();
        for (int i = 0; i < tokens.size(); i++) {
            if (text.contains(tokens.get(i))) {
                found.add(phrases.get(i));
            }
        }
        return found;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Keywords k && phrases.equals(k.phrases);
    }

    @Override
    public int hashCode() {
        return phrases.hashCode();
    }

    @Override
    public String toString() {
        return phrases.toString();
    }

    /** Lower case, accents removed, split into words: the form both keywords and texts are compared in. */
    public static String[] words(String text) {
        if (text == null || text.isEmpty()) {
            return new String[0];
        }
        String folded = MARKS.matcher(Normalizer.normalize(text, Normalizer.Form.NFD)).replaceAll("")
                .toLowerCase(Locale.ROOT);
        return Arrays.stream(NOT_WORD.split(folded)).filter(w -> !w.isEmpty()).toArray(String[]::new);
    }

    /** A text split into words once, to be matched against many rules. */
    public static final class Text {
        private final String[] words;

        private Text(String[] words) {
            this.words = words;
        }

        public static Text of(String... parts) {
            List<String> all = new ArrayList<>();
            for (String part : parts) {
                all.addAll(Arrays.asList(words(part)));
            }
            return new Text(all.toArray(String[]::new));
        }

        boolean contains(String[] phrase) {
            outer:
            for (int i = 0; i + phrase.length <= words.length; i++) {
                for (int j = 0; j < phrase.length; j++) {
                    if (!words[i + j].equals(phrase[j])) {
                        continue outer;
                    }
                }
                return true;
            }
            return false;
        }
    }
}
