package dev.pledge.policy;

import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.MonthDay;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** {@code calendars}: business hours per day and holidays, in a time zone; spans that overlap are refused. */
final class CalendarSection {
    private final PolicyReader reader;

    CalendarSection(PolicyReader reader) {
        this.reader = reader;
    }

    Map<String, BusinessCalendar> calendars(Node node, ZoneId defaultZone) {
        Map<String, BusinessCalendar> calendars = new LinkedHashMap<>();
        if (node == null) {
            return calendars;
        }
        node.fields().forEach((name, cal) -> {
            if (BusinessCalendar.ALWAYS_NAME.equals(name)) {
                reader.error(cal.path(), "'24x7' is built in and cannot be redefined");
                return;
            }
            if (name.length() > Policy.RULE_NAME_MAX) {
                reader.error(cal.path(), "a calendar name must be at most " + Policy.RULE_NAME_MAX + " characters");
            }
            cal.allow("timeZone", "hours", "holidays");
            ZoneId zone = cal.zone("timeZone", defaultZone);
            Map<DayOfWeek, List<TimeSpan>> hours = new EnumMap<>(DayOfWeek.class);
            Node week = cal.obj("hours", true);
            if (week != null) {
                week.fields().forEach((day, spans) -> {
                    DayOfWeek dow = PolicyReader.dayOfWeek(day);
                    if (dow == null) {
                        reader.error(spans.path(), "unknown day, expected monday..sunday");
                        return;
                    }
                    List<TimeSpan> list = new ArrayList<>();
                    spans.items().forEach(item -> {
                        TimeSpan span = item.node().isTextual() ? TimeSpan.parse(item.node().asText()) : null;
                        if (span == null) {
                            reader.error(item.path(), "must be a time span such as '09:00-17:00' ('22:00-06:00' runs past midnight)");
                        } else {
                            list.add(span);
                        }
                    });
                    checkOverlaps(spans.path(), list);
                    list.sort((a, b) -> a.startMinute() - b.startMinute());
                    hours.put(dow, List.copyOf(list));
                });
                if (hours.values().stream().allMatch(List::isEmpty)) {
                    reader.error(week.path(), "must give working hours on at least one day");
                }
                checkOvernightOverlaps(week.path(), hours);
            }
            Set<LocalDate> dates = new HashSet<>();
            Set<MonthDay> yearly = new HashSet<>();
            Node holidays = cal.obj("holidays", false);
            if (holidays != null) {
                holidays.items().forEach(item -> {
                    String text = item.node().asText();
                    try {
                        if (text.length() == 5) {
                            yearly.add(MonthDay.parse("--" + text));
                        } else {
                            dates.add(LocalDate.parse(text));
                        }
                    } catch (RuntimeException e) {
                        reader.error(item.path(), "must be a date (2026-12-25) or a yearly month-day (12-25)");
                    }
                });
            }
            calendars.put(name, new BusinessCalendar(name, zone, hours, Set.copyOf(dates), Set.copyOf(yearly)));
        });
        return calendars;
    }

    void checkOverlaps(String path, List<TimeSpan> spans) {
        List<TimeSpan> sorted = spans.stream().sorted((a, b) -> a.startMinute() - b.startMinute()).toList();
        for (int i = 1; i < sorted.size(); i++) {
            TimeSpan prev = sorted.get(i - 1);
            if (prev.overnight() || prev.endMinute() > sorted.get(i).startMinute()) {
                reader.error(path, "spans " + prev + " and " + sorted.get(i) + " overlap");
            }
        }
    }

    /** An overnight span must end before the next day's first span starts. */
    void checkOvernightOverlaps(String path, Map<DayOfWeek, List<TimeSpan>> hours) {
        hours.forEach((day, spans) -> spans.stream().filter(TimeSpan::overnight).forEach(night -> {
            DayOfWeek next = day.plus(1);
            hours.getOrDefault(next, List.of()).stream().findFirst()
                    .filter(morning -> morning.startMinute() < night.endMinute())
                    .ifPresent(morning -> reader.error(path + "." + day.name().toLowerCase(Locale.ROOT), "span " + night
                            + " runs into " + next.name().toLowerCase(Locale.ROOT) + "'s " + morning));
        }));
    }
}
