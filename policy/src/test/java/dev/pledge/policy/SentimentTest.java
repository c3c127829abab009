package dev.pledge.policy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SentimentTest {

    @Test
    void angryWordsScoreNegativeAndCalmOnesDoNot() {
        assertThat(Sentiment.score("I am furious, this is unacceptable")).isLessThanOrEqualTo(-4);
        assertThat(Sentiment.score("Where is my parcel? It was due on Tuesday.")).isZero();
        assertThat(Sentiment.score("Thank you, that was very helpful")).isPositive();
    }

    @Test
    void negationTurnsAWordRoundAndHalvesIt() {
        assertThat(Sentiment.score("I am not happy")).isNegative();
        assertThat(Sentiment.score("not bad at all")).isPositive();
        assertThat(Sentiment.score("I don't hate it")).isPositive();
        assertThat(Sentiment.score("It isn't good")).isNegative();
        assertThat(Sentiment.score("The service was never helpful")).isNegative();
    }

    @Test
    void negationEndsAtPunctuationAndAfterThreeWords() {
        assertThat(Sentiment.score("Not today. I am angry")).isEqualTo(Sentiment.score("I am angry"));
        assertThat(Sentiment.score("no, terrible")).isEqualTo(Sentiment.score("terrible"));
        assertThat(Sentiment.score("not that it matters much but terrible")).isEqualTo(Sentiment.score("terrible"));
    }

    @Test
    void intensifiersAndExclamationsMakeItStronger() {
        assertThat(Sentiment.score("very angry")).isLessThan(Sentiment.score("angry"));
        assertThat(Sentiment.score("angry!")).isLessThan(Sentiment.score("angry"));
        assertThat(Sentiment.score("extremely disappointed")).isEqualTo(-3.0);
    }

    @Test
    void caseAccentsAndOtherScriptsDoNotBreakIt() {
        assertThat(Sentiment.score("FURIOUS")).isEqualTo(Sentiment.score("furious"));
        assertThat(Sentiment.score("Je suis furieux, c'est inacceptable")).isLessThanOrEqualTo(-4);
        assertThat(Sentiment.score("Ich bin wütend")).isNegative(); // ü folded to u
        assertThat(Sentiment.score("配送が遅れています 😡")).isZero(); // unknown words say nothing
        assertThat(Sentiment.score((String) null)).isZero();
    }
}
