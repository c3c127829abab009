package dev.pledge.policy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A small lexicon-based sentiment score, enough to tell an angry message from a calm one without a
 * model: the sum of the weights of the words it knows ({@code sentiment-lexicon.tsv}: word, tab,
 * weight, negative for negative words). Within a clause (punctuation ends one):
 * <ul>
 * <li>a negator ({@code not}, {@code never}, {@code don't}, ...) up to three words before a word turns
 * it round and halves it: "not happy" is negative, "not bad" mildly positive, never negative;</li>
 * <li>an intensifier ({@code very}, {@code extremely}, ...) right before a word multiplies it by 1.5;</li>
 * <li>a clause ending in {@code !} counts a quarter more.</li>
 * </ul>
 * Case and accents do not matter, as for {@link Keywords}. A score of -3 or below reads as clearly
 * negative ("I am very angry, this is unacceptable").
 */
public final class Sentiment {
    private static final Pattern CLAUSES = Pattern.compile("(?<=[.!?;:,\\n])");
    private static final Set<String> NEGATORS = Set.of("not", "no", "never", "nothing", "neither", "nor", "hardly",
            "without", "cannot", "t", "dont", "doesnt", "didnt", "isnt", "wasnt", "arent", "werent", "wont", "cant",
            "couldnt", "shouldnt", "wouldnt", "pas", "nicht", "nunca");
    private static final Map<String, Double> INTENSIFIERS = Map.of("very", 1.5, "really", 1.5, "extremely", 1.5,
            "so", 1.3, "totally", 1.5, "absolutely", 1.5, "completely", 1.5, "utterly", 1.5, "incredibly", 1.5,
            "most", 1.3);
    private static final int NEGATION_SCOPE = 3;
    private static final Map<String, Double> LEXICON = load();

    private Sentiment() {
    }

    /** The score of a text: below zero negative, above zero positive, zero when it says nothing we know. */
    public static double score(String... parts) {
        double total = 0;
        for (String part : parts) {
            if (part == null) {
                continue;
            }
            for (String clause : CLAUSES.split(part)) {
                total += clause(clause);
            }
        }
        return Math.round(total * 100) / 100.0;
    }

    private static double clause(String clause) {
        String[] words = Keywords.words(clause);
        double sum = 0;
        int negatedUntil = -1;
        for (int i = 0; i < words.length; i++) {
            String w = words[i];
            if (NEGATORS.contains(w)) {
                negatedUntil = i + NEGATION_SCOPE;
                continue;
            }
            Double weight = LEXICON.get(w);
            if (weight == null) {
                continue;
            }
            double v = weight;
            if (i > 0 && INTENSIFIERS.containsKey(words[i - 1])) {
                v *= INTENSIFIERS.get(words[i - 1]);
            }
            if (i <= negatedUntil) {
                v = -v * 0.5;
            }
            sum += v;
        }
        return clause.stripTrailing().endsWith("!") ? sum * 1.25 : sum;
    }

    private static Map<String, Double> load() {
        Map<String, Double> lexicon = new HashMap<>();
        try (InputStream in = Sentiment.class.getResourceAsStream("sentiment-lexicon.tsv")) {
            if (in == null) {
                throw new IllegalStateException("sentiment-lexicon.tsv is missing from the classpath");
            }
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            String line;
            while ((line = reader.readLine()) != null) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] cols = line.split("\t");
                String[] word = Keywords.words(cols[0]);
                lexicon.put(String.join(" ", word), Double.parseDouble(cols[1].trim()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Map.copyOf(lexicon);
    }
}
