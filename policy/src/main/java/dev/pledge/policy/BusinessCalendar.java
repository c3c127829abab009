package dev.pledge.policy;

import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.MonthDay;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A named calendar: time zone, weekly working hours (split shifts and overnight spans allowed),
 * and holidays given as dates or as yearly month-days. The built-in {@link #ALWAYS} counts every
 * hour. A span past midnight belongs to the day it starts on, so a holiday on that day removes it.
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
}
