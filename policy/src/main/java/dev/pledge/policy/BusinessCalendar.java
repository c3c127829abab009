package dev.pledge.policy;

import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.MonthDay;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A named calendar: time zone, weekly working hours (split shifts and overnight spans allowed),
 * and holidays given as dates or as yearly month-days. The built-in {@link #ALWAYS} counts every
 * hour. A span past midnight belongs to the day it starts on, so a holiday on that day removes it.
 *
 * <p>Business time is real elapsed time inside working spans: a span that a DST change shortens
 * (22:00-06:00 on the night clocks go forward) counts its real seven hours.
 */
public record BusinessCalendar(String name, ZoneId zone, Map<DayOfWeek, List<TimeSpan>> hours,
        Set<LocalDate> holidays, Set<MonthDay> yearlyHolidays) {

    public static final String ALWAYS_NAME = "24x7";
    public static final BusinessCalendar ALWAYS = new BusinessCalendar(ALWAYS_NAME, ZoneId.of("UTC"), Map.of(),
            Set.of(), Set.of());

    public boolean isAlways() {
        return ALWAYS_NAME.equals(name);
    }

    public boolean isHoliday(LocalDate date) {
        return holidays.contains(date) || yearlyHolidays.contains(MonthDay.from(date));
    }

    /** Working spans that start on {@code date}; empty on holidays and days off. */
    public List<TimeSpan> spansOn(LocalDate date) {
        if (isHoliday(date)) {
            return List.of();
        }
        return hours.getOrDefault(date.getDayOfWeek(), List.of());
    }

    /** Longest stretch searched for working time; a calendar with none in it is broken. */
    static final int MAX_DAYS = 3 * 366;

    /** The instant at which {@code businessTime} of working time has passed since {@code start}. */
    public Instant add(Instant start, Duration businessTime) {
        if (businessTime.isNegative()) {
            throw new IllegalArgumentException("business time must not be negative: " + businessTime);
        }
        if (isAlways() || businessTime.isZero()) {
            return start.plus(businessTime);
        }
        Duration left = businessTime;
        LocalDate first = start.atZone(zone).toLocalDate().minusDays(1); // an overnight span may run into today
        for (int day = 0; day < MAX_DAYS; day++) {
            LocalDate date = first.plusDays(day);
            for (TimeSpan span : spansOn(date)) {
                Instant from = max(spanStart(date, span), start);
                Instant to = spanEnd(date, span);
                if (!to.isAfter(from)) {
                    continue;
                }
                Duration available = Duration.between(from, to);
                if (left.compareTo(available) <= 0) {
                    return from.plus(left);
                }
                left = left.minus(available);
            }
        }
        throw new IllegalStateException("calendar '" + name + "' has no working time within " + MAX_DAYS + " days");
    }

    /** Working time between two instants; zero when {@code to} is not after {@code from}. */
    public Duration between(Instant from, Instant to) {
        if (!to.isAfter(from)) {
            return Duration.ZERO;
        }
        if (isAlways()) {
            return Duration.between(from, to);
        }
        Duration total = Duration.ZERO;
        LocalDate date = from.atZone(zone).toLocalDate().minusDays(1);
        LocalDate last = to.atZone(zone).toLocalDate();
        for (; !date.isAfter(last); date = date.plusDays(1)) {
            for (TimeSpan span : spansOn(date)) {
                Instant s = max(spanStart(date, span), from);
                Instant e = min(spanEnd(date, span), to);
                if (e.isAfter(s)) {
                    total = total.plus(Duration.between(s, e));
                }
            }
        }
        return total;
    }

    private Instant spanStart(LocalDate date, TimeSpan span) {
        return ZonedDateTime.of(date, span.start(), zone).toInstant();
    }

    private Instant spanEnd(LocalDate date, TimeSpan span) {
        int end = span.endMinute();
        LocalDate endDate = span.overnight() || end == TimeSpan.DAY ? date.plusDays(1) : date;
        LocalTime endTime = end == TimeSpan.DAY ? LocalTime.MIDNIGHT : LocalTime.ofSecondOfDay(end * 60L);
        return ZonedDateTime.of(endDate, endTime, zone).toInstant();
    }

    private static Instant max(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }

    private static Instant min(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
    }
}
