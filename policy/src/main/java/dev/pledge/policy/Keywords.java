package dev.pledge.policy;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Keywords and phrases matched as whole words: {@code court} matches "see you in court" but not
 * "courteous"; {@code legal action} matches "LEGAL  Action!" but not "illegal actions". Case and
 * accents do not matter ("Médiateur" matches {@code mediateur}). Classification and escalation rules
 * both match through this class, so the two never disagree on what a keyword means.
 */
public final class Keywords {
    private static final Pattern MARKS = Pattern.compile("\\p{M}+");

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
        // ASCII has no accents to remove: most texts skip the Unicode normalization.
        String unaccented = isAscii(text) ? text : MARKS.matcher(Normalizer.normalize(text, Normalizer.Form.NFD)).replaceAll("");
        String folded = unaccented.toLowerCase(Locale.ROOT);
        // Split on every run of characters that are neither letters nor numbers (regex \p{L} and \p{N}).
        List<String> words = new ArrayList<>();
        int start = -1;
        for (int i = 0; i < folded.length(); ) {
            int cp = folded.codePointAt(i);
            if (isLetterOrNumber(cp)) {
                if (start < 0) {
                    start = i;
                }
            } else if (start >= 0) {
                words.add(folded.substring(start, i));
                start = -1;
            }
            i += Character.charCount(cp);
        }
        if (start >= 0) {
            words.add(folded.substring(start));
        }
        return words.toArray(String[]::new);
    }

    private static boolean isAscii(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) >= 0x80) {
                return false;
            }
        }
        return true;
    }

    private static boolean isLetterOrNumber(int cp) {
        if (cp < 0x80) {
            return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || (cp >= '0' && cp <= '9');
        }
        int type = Character.getType(cp);
        return Character.isLetter(cp) || type == Character.DECIMAL_DIGIT_NUMBER || type == Character.LETTER_NUMBER
                || type == Character.OTHER_NUMBER;
    }

    /** A text split into words once, to be matched against many rules. */
    public static final class Text {
        private final String[] words;
        /** Where each word first occurs: a keyword is one look-up, a phrase is compared from there on. */
        private final Map<String, Integer> firstAt;

        private Text(String[] words) {
            this.words = words;
            this.firstAt = new HashMap<>(words.length * 2);
            for (int i = 0; i < words.length; i++) {
                firstAt.putIfAbsent(words[i], i);
            }
        }

        public static Text of(String... parts) {
            List<String> all = new ArrayList<>();
            for (String part : parts) {
                all.addAll(Arrays.asList(words(part)));
            }
            return new Text(all.toArray(String[]::new));
        }

        boolean contains(String[] phrase) {
            Integer first = firstAt.get(phrase[0]);
            if (first == null) {
                return false;
            }
            outer:
            for (int i = first; i + phrase.length <= words.length; i++) {
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
