package dev.pledge.feedback;

import static dev.pledge.feedback.FeedbackTestSupport.count;
import static dev.pledge.feedback.FeedbackTestSupport.newContactId;
import static dev.pledge.feedback.FeedbackTestSupport.received;
import static dev.pledge.feedback.FeedbackTestSupport.sendAll;
import static dev.pledge.feedback.FeedbackTestSupport.status;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pledge.events.Channel;
import dev.pledge.events.ContactStatus;
import dev.pledge.events.EventJson;
import dev.pledge.events.FeedbackEvent;
import dev.pledge.events.SurveyKind;
import dev.pledge.testinfra.ServiceProcess;
import dev.pledge.testinfra.TopicReader;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** A survey scheduled when the service is killed (SIGKILL) is sent once, after the restart, not lost. */
class FeedbackRestartIT {

    @Test
    void aScheduledSurveySurvivesAKillMinus9() {
        FeedbackTestSupport.stopSharedService(); // this test runs the service itself: one instance, then another
        FeedbackTestSupport.publishTestPolicy();
        String id = newContactId();
        Instant resolvedAt;
        Instant killedAt;
        try (ServiceProcess first = ServiceProcess.start(FeedbackTestSupport.DATABASE, FeedbackTestSupport.ENV)) {
            FeedbackTestSupport.awaitMembersWithPartitions(1);
            resolvedAt = Instant.now();
            sendAll(List.of(received(id, "cust-" + UUID.randomUUID(), Channel.SMS, resolvedAt),
                    status(id, ContactStatus.OPEN, ContactStatus.RESOLVED, resolvedAt)));
            // killed as soon as the survey is committed as scheduled: 8 s before it is due
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                    .until(() -> "scheduled".equals(FeedbackIT.surveyState(id)));
            first.kill();
            killedAt = Instant.now();
        }
        assertThat(killedAt).as("killed before the survey was due").isBefore(resolvedAt.plus(Duration.ofSeconds(8)));

        try (ServiceProcess second = ServiceProcess.start(FeedbackTestSupport.DATABASE, FeedbackTestSupport.ENV)) {
            List<TopicReader.Record> records = FeedbackIT.surveysOf(id, Duration.ofSeconds(60), Duration.ofSeconds(3));
            assertThat(count(records, "pledge.survey.requested")).as("sent once, after the restart").isEqualTo(1);
            FeedbackEvent.SurveyRequested request = EventJson.fromJson(records.stream()
                    .filter(r -> "pledge.survey.requested".equals(r.header("ce_type"))).findFirst().orElseThrow().value(),
                    FeedbackEvent.SurveyRequested.class);
            assertThat(request.kind()).isEqualTo(SurveyKind.CES);
            assertThat(request.at()).isAfterOrEqualTo(resolvedAt.plus(Duration.ofSeconds(8)));
            assertThat(FeedbackIT.surveyState(id)).isEqualTo("requested");
        }
    }
}
