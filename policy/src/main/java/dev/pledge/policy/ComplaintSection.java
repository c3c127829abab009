package dev.pledge.policy;

import dev.pledge.policy.Policy.*;
import java.util.List;
import java.util.Set;

/** {@code complaints} (ISO 10002 deadlines) and {@code crisis} (a category far above its baseline). */
final class ComplaintSection {
    private final PolicyReader reader;

    ComplaintSection(PolicyReader reader) {
        this.reader = reader;
    }

    Complaints complaints(Node node, Refs refs) {
        if (node == null) {
            return null;
        }
        node.allow("categories", "calendar", "acknowledgeWithin", "finalResponseWithin", "steps",
                "brokenPromiseCategory");
        Set<String> categories = refs.categories(node);
        if (categories.isEmpty()) {
            reader.error(node.path() + ".categories", "must name the categories handled as complaints");
        }
        String calendar = node.text("calendar", false);
        if (calendar == null) {
            calendar = BusinessCalendar.ALWAYS_NAME;
        } else {
            refs.calendar(node.path() + ".calendar", calendar);
        }
        var ack = node.duration("acknowledgeWithin", true);
        var fin = node.duration("finalResponseWithin", true);
        if (ack != null && fin != null && ack.compareTo(fin) >= 0) {
            reader.error(node.path() + ".finalResponseWithin", "must be longer than acknowledgeWithin");
        }
        String brokenPromise = node.text("brokenPromiseCategory", false);
        if (brokenPromise != null && !categories.contains(brokenPromise)) {
            reader.error(node.path() + ".brokenPromiseCategory", "must be one of the complaint categories " + categories
                    + ", was '" + brokenPromise + "'");
        }
        return new Complaints(categories, calendar, ack, fin, node.strings("steps"), brokenPromise);
    }

    Crisis crisis(Node node, Refs refs) {
        if (node == null) {
            return null;
        }
        node.allow("window", "baselineWindow", "factor", "minimumCount", "notify");
        var window = node.duration("window", true);
        var baseline = node.duration("baselineWindow", true);
        if (window != null && baseline != null && baseline.compareTo(window) <= 0) {
            reader.error(node.path() + ".baselineWindow", "must be longer than window");
        }
        Double factor = node.number("factor", true, 1.0, 1000.0);
        Integer minimum = node.integer("minimumCount", 1, Integer.MAX_VALUE);
        List<String> notify = node.strings("notify");
        if (notify.isEmpty()) {
            reader.error(node.path() + ".notify", "must name who is told of a crisis");
        }
        return new Crisis(window, baseline, factor == null ? 0 : factor, minimum == null ? 1 : minimum, notify);
    }
}
