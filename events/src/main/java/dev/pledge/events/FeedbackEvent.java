package dev.pledge.events;

import java.time.Instant;

/** Events on {@link Topics#FEEDBACK_EVENTS}, keyed by contact id. Produced by feedback-service. */
public sealed interface FeedbackEvent extends PledgeEvent {

    String contactId();

    @Override
    default String key() {
        return contactId();
    }

    record SurveyRequested(String surveyId, String contactId, String customerId, SurveyKind kind, Channel channel,
            Instant at, Instant expiresAt, int policyVersion) implements FeedbackEvent {
    }

    /** {@code score} on the survey's scale (CSAT 1-5, NPS 0-10, CES 1-7). */
    record Received(String feedbackId, String surveyId, String contactId, SurveyKind kind, int score,
            String comment, Instant at, int policyVersion) implements FeedbackEvent {
    }
}
