package dev.pledge.feedback.rest;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class AnswerLimiterTest {

    @Test
    void aStreamOfNewAddressesDoesNotGrowTheMapPastItsBound() {
        AnswerLimiter limiter = new AnswerLimiter((30));
        for (int i = 0; i < AnswerLimiter.MAX_ADDRESSES + 50_000; i++) {
            limiter.retryAfter("a" + i);
        }
        assertThat(limiter.tracked()).isLessThanOrEqualTo(AnswerLimiter.MAX_ADDRESSES);
    }

    @Test
    void theLimitHoldsPerAddress() {
        AnswerLimiter limiter = new AnswerLimiter((3));
        for (int i = 0; i < 3; i++) {
            assertThat(limiter.retryAfter("203.0.113.7")).isZero();
        }
        assertThat(limiter.retryAfter("203.0.113.7")).isBetween(1L, 60L);
        assertThat(limiter.retryAfter("203.0.113.8")).isZero();
    }
}
