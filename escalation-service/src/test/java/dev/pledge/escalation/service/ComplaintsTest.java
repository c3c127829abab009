package dev.pledge.escalation.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pledge.escalation.Complaint;
import dev.pledge.escalation.Escalation;
import dev.pledge.escalation.EscalationContact;
import dev.pledge.escalation.repository.EscalationRepository;
import dev.pledge.policy.BusinessCalendar;
import dev.pledge.policy.Policy;
import dev.pledge.policy.PolicyLoader;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** ISO 10002 complaint deadlines over the default policy, on {@link Changes} alone: no database, no clock. */
class ComplaintsTest {
    static final Policy POLICY = PolicyLoader.defaultPolicy();
    static final Instant T0 = Instant.parse("2026-03-09T10:00:00Z");
    static final BusinessCalendar CALENDAR = POLICY.calendar(POLICY.complaints().calendar());

    static EscalationContact contact(String category) {
        EscalationContact c = LadderTest.contact();
        c.category = category;
        return c;
    }

    final EscalationContact c = contact("long-hold");
    final Changes w = new Changes(new EscalationRepository.Loaded(List.of(c), List.of(), List.of()));

    /** The contact's complaint, opened at {@code T0}. */
    Complaint opened() {
        Complaints.open(w, c, POLICY, 1, T0);
        return w.complaints.get("c-1");
    }

    @Test
    void aContactInAComplaintCategoryGetsBothDeadlinesAndOthersNone() {
        EscalationContact complaint = contact("long-hold");
        EscalationContact question = contact("delivery");
        question.contactId = "c-2";
        Changes w = new Changes(new EscalationRepository.Loaded(List.of(complaint, question), List.of(), List.of()));
        Complaints.open(w, complaint, POLICY, 1, T0);
        Complaints.open(w, question, POLICY, 1, T0);
        assertThat(w.complaints).containsOnlyKeys("c-1");
        Complaint k = w.complaints.get("c-1");
        assertThat(k.ackDeadline).isEqualTo(CALENDAR.add(T0, POLICY.complaints().acknowledgeWithin()));
        assertThat(k.finalDeadline).isEqualTo(CALENDAR.add(T0, POLICY.complaints().finalResponseWithin()));
        assertThat(k.nextFireAt).as("the acknowledgement is watched first").isEqualTo(k.ackDeadline);
        Complaints.open(w, complaint, POLICY, 1, T0.plusSeconds(60));
        assertThat(w.complaints.get("c-1")).as("opened once").isSameAs(k);
    }

    @Test
    void acknowledgedInTimeOnlyTheFinalResponseIsWatchedAndItsMissRaisesTheRule() {
        Complaint k = opened();
        Complaints.acknowledged(w, c, T0.plusSeconds(3600));
        assertThat(k.nextFireAt).isEqualTo(k.finalDeadline);

        Complaints.fire(w, c, k, POLICY, k.finalDeadline);
        assertThat(k.ackMissed).isFalse();
        assertThat(k.finalMissed).isTrue();
        assertThat(k.nextFireAt).isNull();
        // the default rule on complaint-deadline-missed raises to manager
        Escalation e = w.open.get("c-1");
        assertThat(e.level).isEqualTo("manager");
        assertThat(e.rule).isEqualTo("complaint-deadline-missed");
    }

    @Test
    void anUnacknowledgedComplaintMissesItsAcknowledgementOnce() {
        Complaint k = opened();
        Complaints.fire(w, c, k, POLICY, k.ackDeadline.minusSeconds(1));
        assertThat(k.ackMissed).as("not yet").isFalse();
        Complaints.fire(w, c, k, POLICY, k.ackDeadline);
        assertThat(k.ackMissed).isTrue();
        assertThat(k.nextFireAt).as("then the final response").isEqualTo(k.finalDeadline);
    }

    @Test
    void aReopenedContactsComplaintIsOpenAgainAndItsFinalResponseRunsAgain() {
        Complaint k = opened();
        Complaints.acknowledged(w, c, T0.plusSeconds(60));
        Complaints.responded(w, c, T0.plusSeconds(3600));
        assertThat(k.nextFireAt).as("responded: nothing to watch").isNull();
        Complaints.reopened(w, c);
        assertThat(k.respondedAt).isNull();
        assertThat(k.nextFireAt).isEqualTo(k.finalDeadline);
        Complaints.closed(w, c, T0.plusSeconds(7200));
        assertThat(k.closedAt).isEqualTo(T0.plusSeconds(7200));
        assertThat(k.nextFireAt).isNull();
    }

    @Test
    void aBrokenPromiseMakesANoFollowUpComplaintThatItsCorrectionWithdraws() {
        c.category = "delivery";
        Complaints.promiseBroken(w, c, POLICY, 1, T0, "promise#1");
        Complaint k = w.complaints.get("c-1");
        assertThat(k.category).isEqualTo(POLICY.complaints().brokenPromiseCategory());
        assertThat(k.cause).isEqualTo("promise#1");
        Complaints.promiseCorrected(w, c, "promise#2", T0.plusSeconds(5));
        assertThat(k.withdrawnAt).as("another promise's correction").isNull();
        Complaints.promiseCorrected(w, c, "promise#1", T0.plusSeconds(5));
        assertThat(k.withdrawnAt).isEqualTo(T0.plusSeconds(5));
        assertThat(k.nextFireAt).isNull();
    }
}
