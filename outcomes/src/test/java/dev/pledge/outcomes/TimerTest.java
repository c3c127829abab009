package dev.pledge.outcomes;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pledge.events.SlaEvent;
import dev.pledge.events.SlaMetric;
import dev.pledge.policy.BusinessCalendar;
import dev.pledge.policy.PolicyLoader;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The timer arithmetic alone: no server, no clock but the instants passed in. */
class TimerTest {
    static final BusinessCalendar ALWAYS = BusinessCalendar.ALWAYS;
    static final List<Integer> WARNINGS = List.of(50, 75, 90);
    static final Instant T0 = Instant.parse("2026-03-09T10:00:00Z");

    static Timer chat(Duration target) {
        return Timer.start("c-1", SlaMetric.FIRST_RESPONSE, 1, "chat", "24x7", 1, target, T0, ALWAYS, WARNINGS);
    }

    @Test
    void warnsAtEachThresholdOnceThenBreachesOnce() {
        Timer t = chat(Duration.ofMinutes(2));
        assertThat(t.deadline).isEqualTo(T0.plusSeconds(120));
        assertThat(t.nextFireAt).isEqualTo(T0.plusSeconds(60));

        assertThat(t.fire(T0.plusSeconds(60), ALWAYS, WARNINGS)).singleElement()
                .isInstanceOfSatisfying(SlaEvent.Warning.class, w -> assertThat(w.thresholdPercent()).isEqualTo(50));
        assertThat(t.nextFireAt).isEqualTo(T0.plusSeconds(90));
        assertThat(t.fire(T0.plusSeconds(60), ALWAYS, WARNINGS)).isEmpty(); // fired again: nothing new

        List<SlaEvent> late = t.fire(T0.plusSeconds(109), ALWAYS, WARNINGS); // 75 and 90 both passed
        assertThat(late).extracting(e -> ((SlaEvent.Warning) e).thresholdPercent()).containsExactly(75, 90);
        assertThat(t.nextFireAt).isEqualTo(t.deadline);

        assertThat(t.fire(T0.plusSeconds(120), ALWAYS, WARNINGS)).singleElement().isInstanceOf(SlaEvent.Breached.class);
        assertThat(t.nextFireAt).isNull();
        assertThat(t.fire(T0.plusSeconds(500), ALWAYS, WARNINGS)).isEmpty();
        assertThat(t.inTarget).isFalse();
    }

    @Test
    void aBreachFoundLateSkipsTheWarningsItMakesMoot() {
        Timer t = chat(Duration.ofMinutes(2));
        assertThat(t.fire(T0.plusSeconds(600), ALWAYS, WARNINGS)).singleElement().isInstanceOf(SlaEvent.Breached.class);
    }

    @Test
    void replyBeforeTheDeadlineIsMetInTarget() {
        Timer t = chat(Duration.ofMinutes(2));
        SlaEvent.Met met = t.meet(T0.plusSeconds(45), ALWAYS);
        assertThat(met.inTarget()).isTrue();
        assertThat(met.elapsed()).isEqualTo(Duration.ofSeconds(45));
        assertThat(t.nextFireAt).isNull();
        assertThat(t.fire(T0.plusSeconds(500), ALWAYS, WARNINGS)).isEmpty();
    }

    @Test
    void replyAfterABreachIsMetOutOfTarget() {
        Timer t = chat(Duration.ofMinutes(2));
        t.fire(T0.plusSeconds(121), ALWAYS, WARNINGS);
        SlaEvent.Met met = t.meet(T0.plusSeconds(300), ALWAYS);
        assertThat(met.inTarget()).isFalse();
        assertThat(met.elapsed()).isEqualTo(Duration.ofMinutes(5));
    }

    @Test
    void pauseHoldsTheClockAndResumeContinuesWithWhatWasLeft() {
        Timer t = chat(Duration.ofMinutes(2));
        SlaEvent.Paused paused = t.pause(T0.plusSeconds(30), ALWAYS);
        assertThat(paused.remaining()).isEqualTo(Duration.ofSeconds(90));
        assertThat(t.nextFireAt).isNull();
        assertThat(t.fire(T0.plusSeconds(3600), ALWAYS, WARNINGS)).isEmpty();

        SlaEvent.Resumed resumed = t.resume(T0.plusSeconds(3600), ALWAYS, WARNINGS);
        assertThat(resumed.deadline()).isEqualTo(T0.plusSeconds(3600 + 90));
        assertThat(t.nextFireAt).isEqualTo(T0.plusSeconds(3600 + 30)); // 50 % = 60 s used, 30 s already were
        assertThat(t.meet(T0.plusSeconds(3600 + 60), ALWAYS).elapsed()).isEqualTo(Duration.ofSeconds(90));
    }

    @Test
    void retargetKeepsTheTimeUsedAndWhatWasAlreadyWarned() {
        Timer t = chat(Duration.ofMinutes(2));
        t.fire(T0.plusSeconds(60), ALWAYS, WARNINGS); // 50 % warned
        t.retarget("vip", "24x7", Duration.ofMinutes(10), T0.plusSeconds(70), ALWAYS, ALWAYS, WARNINGS);
        assertThat(t.remaining()).isEqualTo(Duration.ofSeconds(530));
        assertThat(t.deadline).isEqualTo(T0.plusSeconds(600));
        assertThat(t.nextFireAt).isEqualTo(T0.plusSeconds(450)); // 75 % of 10 min; 50 % is not repeated
        t.retarget("urgent", "24x7", Duration.ofSeconds(60), T0.plusSeconds(80), ALWAYS, ALWAYS, WARNINGS);
        assertThat(t.deadline).isEqualTo(T0.plusSeconds(80)); // already over: due at once
        assertThat(t.fire(T0.plusSeconds(80), ALWAYS, WARNINGS)).singleElement().isInstanceOf(SlaEvent.Breached.class);
    }

    @Test
    void businessHoursTimerStartedFridayEveningIsDueMonday() {
        BusinessCalendar office = PolicyLoader.defaultPolicy().calendar("office");
        Timer t = Timer.start("c-2", SlaMetric.FIRST_RESPONSE, 1, "email", "office", 1, Duration.ofHours(4),
                Instant.parse("2026-03-06T18:00:00Z"), office, WARNINGS);
        assertThat(t.deadline).isEqualTo(Instant.parse("2026-03-09T14:00:00Z"));
        assertThat(t.used(office, Instant.parse("2026-03-08T12:00:00Z"))).isEqualTo(Duration.ZERO); // the weekend
    }

    @Test
    void aReplyMadeInTimeWhoseRecordCameAfterTheBreachIsMetInTargetAndCorrectsIt() {
        Timer t = chat(Duration.ofMinutes(2));
        t.fire(T0.plusSeconds(125), ALWAYS, WARNINGS); // the breach fired: no reply had arrived yet
        assertThat(t.inTarget).isFalse();
        SlaEvent.Met met = t.meet(T0.plusSeconds(100), ALWAYS); // the reply happened at 100 s; its record came late
        assertThat(met.inTarget()).isTrue();
        assertThat(met.correctsBreach()).isTrue();
        assertThat(met.elapsed()).isEqualTo(Duration.ofSeconds(100));
        assertThat(t.inTarget).isTrue();
        assertThat(t.breached).isFalse();
        assertThat(t.outcomeAt).isEqualTo(T0.plusSeconds(100));
    }
    @Test
    void aBreachUnderTheTargetInForceStaysABreachWhenTheTargetIsLoweredAfterIt() {
        // urgent: 15 min; breached at 15; priority lowered (1 h rule) at 20; reply at 40: still a breach
        Timer t = chat(Duration.ofMinutes(15));
        assertThat(t.fire(T0.plus(Duration.ofMinutes(15)), ALWAYS, WARNINGS)).singleElement().isInstanceOf(SlaEvent.Breached.class);
        t.retarget("normal", "24x7", Duration.ofHours(1), T0.plus(Duration.ofMinutes(20)), ALWAYS, ALWAYS, WARNINGS);
        SlaEvent.Met met = t.meet(T0.plus(Duration.ofMinutes(40)), ALWAYS);
        assertThat(met.inTarget()).isFalse();
        assertThat(met.correctsBreach()).isNull();
        assertThat(t.inTarget).isFalse();
        assertThat(t.outcomeAt).isEqualTo(T0.plus(Duration.ofMinutes(15)));
    }

    @Test
    void aReplyBeforeTheBreachWhoseRecordCameAfterARetargetStillCorrectsIt() {
        Timer t = chat(Duration.ofMinutes(15));
        t.fire(T0.plus(Duration.ofMinutes(15)), ALWAYS, WARNINGS);
        t.retarget("normal", "24x7", Duration.ofHours(1), T0.plus(Duration.ofMinutes(20)), ALWAYS, ALWAYS, WARNINGS);
        SlaEvent.Met met = t.meet(T0.plus(Duration.ofMinutes(10)), ALWAYS);
        assertThat(met.inTarget()).isTrue();
        assertThat(met.correctsBreach()).isTrue();
        assertThat(met.cycle()).isEqualTo(1);
    }

    @Test
    void aTimerCancelledAfterItsBreachStaysBreachedAndSaysSo() {
        Timer t = chat(Duration.ofMinutes(2));
        t.fire(T0.plusSeconds(120), ALWAYS, WARNINGS);
        SlaEvent.Cancelled c = t.cancel(T0.plusSeconds(300), "contact resolved");
        assertThat(c.breached()).isTrue();
        assertThat(c.cycle()).isEqualTo(1);
        assertThat(t.inTarget).isFalse();
        assertThat(t.outcomeAt).isEqualTo(T0.plusSeconds(120));
    }

    @Test
    void everyEventNamesItsTimer() {
        Timer t = Timer.start("c-1", SlaMetric.NEXT_RESPONSE, 3, "chat", "24x7", 1, Duration.ofMinutes(2), T0,
                ALWAYS, WARNINGS);
        assertThat(t.started().cycle()).isEqualTo(3);
        assertThat(t.fire(T0.plusSeconds(60), ALWAYS, WARNINGS)).extracting(SlaEvent::cycle).containsExactly(3);
        assertThat(t.pause(T0.plusSeconds(70), ALWAYS).cycle()).isEqualTo(3);
        assertThat(t.resume(T0.plusSeconds(80), ALWAYS, WARNINGS).cycle()).isEqualTo(3);
        assertThat(t.fire(T0.plusSeconds(600), ALWAYS, WARNINGS)).extracting(SlaEvent::cycle).containsExactly(3);
    }
}
