package dev.pledge.events;

import java.time.Instant;

/** Events on {@link Topics#FEEDBACK_EVENTS}, keyed by contact id. Produced by feedback-service. */
public sealed interface FeedbackEvent extends PledgeEvent {

    String contactId();

    @Override
    default String key() {
        return contactId();
    }

    /**
     * A survey to send to the customer. {@code token} is what the front end puts in the link or form: it
     * authorizes one answer to this survey at {@code POST /feedback} until {@code expiresAt}. {@code question}
     * is what to ask, answered from {@code scaleMin} to {@code scaleMax}; {@code higherIsBetter} says which end
     * is the good one (true for every kind today: CES 2.0 asks for agreement). The last four are additive
     * (contract 1.2).
     */
    record SurveyRequested(String surveyId, String contactId, String customerId, SurveyKind kind, Channel channel,
            Instant at, Instant expiresAt, int policyVersion, String token, String question, Integer scaleMin,
            Integer scaleMax, Boolean higherIsBetter) implements FeedbackEvent {
        public SurveyRequested(String surveyId, String contactId, String customerId, SurveyKind kind, Channel channel,
                Instant at, Instant expiresAt, int policyVersion, String token) {
            this(surveyId, contactId, customerId, kind, channel, at, expiresAt, policyVersion, token, null, null, null,
                    null);
        }
    }

    /**
     * {@code score} on the survey's scale (CSAT 1-5, NPS 0-10, CES 1-7). {@code theme}: the category the
     * comment reads as, by the policy's classification keywords (null without a comment or a match);
     * {@code sentiment}: the comment's score by the shared lexicon (negative below zero; null without one).
     */
    record Received(String feedbackId, String surveyId, String contactId, SurveyKind kind, int score,
            String comment, Instant at, int policyVersion, String theme, Double sentiment) implements FeedbackEvent {
    }
}
