package dev.pledge.policy;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Names the document defines, so that a reference to an undefined one is reported where it is. */
record Refs(Node root, Set<String> tiers, Set<String> teams, Set<String> categories, Set<String> calendars) {
    Set<String> tiers(Node node) {
        return checked(node, "tiers", tiers);
    }

    Set<String> categories(Node node) {
        return checked(node, "categories", categories);
    }

    void category(String path, String category) {
        check(path, category, "category", categories);
    }

    void team(String path, String team) {
        check(path, team, "team", teams);
    }

    void calendar(String path, String calendar) {
        Set<String> known = new HashSet<>(calendars);
        known.add(BusinessCalendar.ALWAYS_NAME);
        check(path, calendar, "calendar", known);
    }

    private Set<String> checked(Node node, String field, Set<String> known) {
        List<String> values = node.strings(field);
        for (int i = 0; i < values.size(); i++) {
            check(node.path() + "." + field + "[" + i + "]", values.get(i), field.substring(0, field.length() - 1)
                    .replace("categorie", "category"), known);
        }
        return Set.copyOf(values);
    }

    private void check(String path, String value, String what, Set<String> known) {
        if (value != null && !known.contains(value)) {
            root.reader().error(path, "unknown " + what + " '" + value + "', expected one of " + known.stream().sorted().toList());
        }
    }
}
