package dev.pledge.policy;

import java.time.LocalTime;

/**
 * Working hours within a day, {@code 09:00-17:00}. An end at or before the start runs past
 * midnight into the next day ({@code 22:00-06:00}); {@code 24:00} is the end of the day.
 */
public record TimeSpan(int startMinute, int endMinute) {

    public static final int DAY = 24 * 60;

    public boolean overnight() {
        return endMinute <= startMinute;
    }

    /** Length in minutes, counting the part after midnight for overnight spans. */
    public int minutes() {
        return overnight() ? DAY - startMinute + endMinute : endMinute - startMinute;
    }

    public LocalTime start() {
        return LocalTime.ofSecondOfDay(startMinute * 60L);
    }

    @Override
    public String toString() {
        return hhmm(startMinute) + "-" + hhmm(endMinute);
    }

    /** Parses {@code HH:MM-HH:MM}; returns null when the text is not of that form. */
    static TimeSpan parse(String text) {
        String[] parts = text.trim().split("-");
        if (parts.length != 2) {
            return null;
        }
        int start = minuteOfDay(parts[0]);
        int end = minuteOfDay(parts[1]);
        if (start < 0 || end < 0 || start == DAY || start == end) {
            return null;
        }
        return new TimeSpan(start, end);
    }

    private static int minuteOfDay(String hhmm) {
        String[] p = hhmm.trim().split(":");
        if (p.length != 2 || p[0].length() != 2 || p[1].length() != 2) {
            return -1;
        }
        try {
            int h = Integer.parseInt(p[0]);
            int m = Integer.parseInt(p[1]);
            if (h == 24 && m == 0) {
                return DAY;
            }
            return h >= 0 && h < 24 && m >= 0 && m < 60 ? h * 60 + m : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static String hhmm(int minute) {
        return String.format("%02d:%02d", minute / 60, minute % 60);
    }
}
