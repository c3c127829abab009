package dev.pledge.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.MonthDay;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BusinessCalendarTest {
    static final ZoneId LONDON = ZoneId.of("Europe/London");

    /** Monday to Friday, 09:00-12:00 and 13:00-17:00 (seven hours a day). */
    static final BusinessCalendar OFFICE = calendar(LONDON, Set.of(LocalDate.of(2026, 4, 3)), Set.of(MonthDay.of(12, 25)),
            Map.of(DayOfWeek.MONDAY, "09:00-12:00,13:00-17:00", DayOfWeek.TUESDAY, "09:00-12:00,13:00-17:00",
                    DayOfWeek.WEDNESDAY, "09:00-12:00,13:00-17:00", DayOfWeek.THURSDAY, "09:00-12:00,13:00-17:00",
                    DayOfWeek.FRIDAY, "09:00-12:00,13:00-17:00"));

    /** Nights from Sunday to Thursday, 22:00-06:00. */
    static final BusinessCalendar NIGHTS = calendar(LONDON, Set.of(), Set.of(), Map.of(
            DayOfWeek.SUNDAY, "22:00-06:00", DayOfWeek.MONDAY, "22:00-06:00", DayOfWeek.TUESDAY, "22:00-06:00",
            DayOfWeek.WEDNESDAY, "22:00-06:00", DayOfWeek.THURSDAY, "22:00-06:00"));

    @Test
    void withinOneSpan() {
        assertThat(OFFICE.add(london("2026-03-09T09:30"), Duration.ofHours(2))).isEqualTo(london("2026-03-09T11:30"));
    }

    @Test
    void acrossTheLunchBreakOfASplitShift() {
        assertThat(OFFICE.add(london("2026-03-09T11:00"), Duration.ofHours(2))).isEqualTo(london("2026-03-09T14:00"));
        assertThat(OFFICE.between(london("2026-03-09T11:00"), london("2026-03-09T14:00"))).isEqualTo(Duration.ofHours(2));
    }

    @Test
    void startingOutsideHoursCountsFromTheNextSpan() {
        assertThat(OFFICE.add(london("2026-03-09T07:00"), Duration.ofMinutes(30))).isEqualTo(london("2026-03-09T09:30"));
        assertThat(OFFICE.add(london("2026-03-09T12:15"), Duration.ofMinutes(30))).isEqualTo(london("2026-03-09T13:30"));
    }

    @Test
    void fridayEveningIsDueOnMonday() {
        assertThat(OFFICE.add(london("2026-03-06T18:00"), Duration.ofHours(4))).isEqualTo(london("2026-03-09T14:00"));
        assertThat(OFFICE.add(london("2026-03-06T16:00"), Duration.ofHours(2))).isEqualTo(london("2026-03-09T10:00"));
    }

    @Test
    void aHolidayOnAFridayBeforeAWeekendSkipsToMonday() {
        // Good Friday 2026-04-03 is a holiday: Thursday 16:00 + 2 h runs into Monday.
        assertThat(OFFICE.add(london("2026-04-02T16:00"), Duration.ofHours(2))).isEqualTo(london("2026-04-06T10:00"));
        assertThat(OFFICE.between(london("2026-04-02T16:00"), london("2026-04-06T10:00"))).isEqualTo(Duration.ofHours(2));
    }

    @Test
    void yearlyHolidaysAndYearEnd() {
        // Thursday 24 Dec 2026 16:00 + 3 h: Christmas Day (Friday) is a yearly holiday, so Monday 28th.
        assertThat(OFFICE.add(london("2026-12-24T16:00"), Duration.ofHours(3))).isEqualTo(london("2026-12-28T11:00"));
        // Across the year end: Thursday 31 Dec 16:00 + 8 h = 1 h Thursday + 7 h Friday 1 Jan (no holiday here).
        assertThat(OFFICE.add(london("2026-12-31T16:00"), Duration.ofHours(8))).isEqualTo(london("2027-01-01T17:00"));
    }

    @Test
    void overnightShiftRunsPastMidnight() {
        assertThat(NIGHTS.add(london("2026-03-09T23:00"), Duration.ofHours(3))).isEqualTo(london("2026-03-10T02:00"));
        // Friday morning 05:00 is in Thursday's night shift; one hour left of it, then Sunday night.
        assertThat(NIGHTS.add(london("2026-03-13T05:00"), Duration.ofHours(2))).isEqualTo(london("2026-03-15T23:00"));
        assertThat(NIGHTS.between(london("2026-03-09T20:00"), london("2026-03-10T08:00"))).isEqualTo(Duration.ofHours(8));
    }

    @Test
    void dstWeekendInSpring() {
        // Clocks go forward at 01:00 UTC on Sunday 29 March 2026. The Sunday night shift 22:00-06:00 is
        // after the change: 8 h. The 24x7-in-London office: Friday 16:00 + 2 h = Monday 10:00, in BST.
        assertThat(OFFICE.add(london("2026-03-27T16:00"), Duration.ofHours(2))).isEqualTo(london("2026-03-30T10:00"));
        assertThat(london("2026-03-30T10:00")).isEqualTo(Instant.parse("2026-03-30T09:00:00Z"));
        BusinessCalendar allWeek = calendar(LONDON, Set.of(), Set.of(), Map.of(DayOfWeek.SATURDAY, "22:00-06:00"));
        // The Saturday night shift spans the change: 22:00 GMT to 06:00 BST is 7 real hours.
        assertThat(allWeek.between(london("2026-03-28T20:00"), london("2026-03-29T08:00"))).isEqualTo(Duration.ofHours(7));
        assertThat(allWeek.add(london("2026-03-28T22:00"), Duration.ofHours(7))).isEqualTo(london("2026-03-29T06:00"));
    }

    @Test
    void dstWeekendInAutumn() {
        BusinessCalendar allWeek = calendar(LONDON, Set.of(), Set.of(), Map.of(DayOfWeek.SATURDAY, "22:00-06:00"));
        // Clocks go back on Sunday 25 October 2026: 22:00 BST to 06:00 GMT is 9 real hours.
        assertThat(allWeek.between(london("2026-10-24T21:00"), london("2026-10-25T07:00"))).isEqualTo(Duration.ofHours(9));
    }

    @Test
    void aTargetLongerThanAWeek() {
        // 40 business hours = 5 days and 5 hours of a 7-hour-a-day office.
        assertThat(OFFICE.add(london("2026-03-09T09:00"), Duration.ofHours(40))).isEqualTo(london("2026-03-16T15:00"));
        assertThat(OFFICE.between(london("2026-03-09T09:00"), london("2026-03-16T15:00"))).isEqualTo(Duration.ofHours(40));
    }

    @Test
    void alwaysCountsEveryHour() {
        Instant start = Instant.parse("2026-03-28T23:00:00Z");
        assertThat(BusinessCalendar.ALWAYS.add(start, Duration.ofHours(5))).isEqualTo(start.plus(Duration.ofHours(5)));
        assertThat(BusinessCalendar.ALWAYS.between(start, start.plusSeconds(90))).isEqualTo(Duration.ofSeconds(90));
    }

    @Test
    void theDefaultPolicysOfficeCalendarWorks() {
        BusinessCalendar office = PolicyLoader.defaultPolicy().calendar("office");
        // Friday 17:00 closes early; Friday 16:30 + 1 h = Monday 09:30.
        assertThat(office.add(london("2026-03-06T16:30"), Duration.ofHours(1))).isEqualTo(london("2026-03-09T09:30"));
    }

    @Test
    void elapsedOfAddIsTheDurationAdded() {
        Random random = new Random(20261122);
        List<BusinessCalendar> calendars = List.of(OFFICE, NIGHTS, BusinessCalendar.ALWAYS,
                PolicyLoader.defaultPolicy().calendar("contact-centre"));
        Instant base = Instant.parse("2026-01-01T00:00:00Z");
        for (int i = 0; i < 5_000; i++) {
            BusinessCalendar calendar = calendars.get(random.nextInt(calendars.size()));
            Instant start = base.plusSeconds(random.nextInt(366 * 24 * 3600));
            Duration d = Duration.ofSeconds(random.nextInt(200 * 3600));
            Instant end = calendar.add(start, d);
            assertThat(calendar.between(start, end)).as("%s from %s plus %s = %s", calendar.name(), start, d, end)
                    .isEqualTo(d);
        }
    }

    static Instant london(String localDateTime) {
        return ZonedDateTime.of(java.time.LocalDateTime.parse(localDateTime), LONDON).toInstant();
    }

    static BusinessCalendar calendar(ZoneId zone, Set<LocalDate> holidays, Set<MonthDay> yearly,
            Map<DayOfWeek, String> hours) {
        Map<DayOfWeek, List<TimeSpan>> spans = new EnumMap<>(DayOfWeek.class);
        hours.forEach((day, text) -> spans.put(day, java.util.Arrays.stream(text.split(","))
                .map(TimeSpan::parse).sorted((a, b) -> a.startMinute() - b.startMinute()).toList()));
        return new BusinessCalendar("test", zone, spans, holidays, yearly);
    }
}
