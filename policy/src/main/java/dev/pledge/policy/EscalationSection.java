package dev.pledge.policy;

import dev.pledge.events.SlaMetric;
import dev.pledge.policy.Policy.*;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** {@code escalation}: the ladder, specialist teams, and the rules that raise a contact to them. */
final class EscalationSection {
    private final PolicyReader reader;

    EscalationSection(PolicyReader reader) {
        this.reader = reader;
    }

    Escalation escalation(Node node, Refs refs) {
        if (node == null) {
            return null;
        }
        node.allow("ladder", "specialists", "rules", "calendar", "topLevelRepeats", "reEscalateAfter");
        List<EscalationLevel> ladder = levels(node.obj("ladder", true));
        List<EscalationLevel> specialists = levels(node.obj("specialists", false));
        Set<String> targets = new HashSet<>();
        ladder.forEach(l -> targets.add(l.name()));
        specialists.forEach(l -> {
            if (!targets.add(l.name())) {
                reader.error(node.path() + ".specialists", "'" + l.name() + "' is already a ladder level");
            }
        });
        String calendar = node.text("calendar", false);
        if (calendar == null) {
            calendar = BusinessCalendar.ALWAYS_NAME;
        } else {
            refs.calendar(node.path() + ".calendar", calendar);
        }
        Integer repeats = node.integer("topLevelRepeats", 0, 20);
        java.time.Duration reEscalateAfter = node.duration("reEscalateAfter", false);
        List<EscalationRule> rules = new ArrayList<>();
        Node list = node.obj("rules", false);
        if (list != null) {
            Set<String> names = new HashSet<>();
            list.items().forEach(r -> {
                r.allow("name", "trigger", "when", "keywords", "negativeSentiment", "minWarningPercent", "metrics",
                        "repeatContact", "customerReplies", "raiseTo");
                String name = r.ruleName(names);
                Trigger on = r.enumField("trigger", Trigger.class, true);
                Keywords keywords = Keywords.of(r.strings("keywords"));
                Double sentiment = r.number("negativeSentiment", false, 0.5, 100.0);
                Integer minWarning = r.integer("minWarningPercent", 1, 99);
                Set<SlaMetric> metrics = r.enums("metrics", SlaMetric.class);
                Integer replies = r.integer("customerReplies", 1, 100);
                if (on != null) {
                    only(r, "keywords", !keywords.isEmpty(), on, Trigger.CONTACT_RECEIVED);
                    only(r, "negativeSentiment", sentiment != null, on, Trigger.CONTACT_RECEIVED);
                    only(r, "minWarningPercent", minWarning != null, on, Trigger.SLA_WARNING);
                    only(r, "metrics", !metrics.isEmpty(), on, Trigger.SLA_WARNING, Trigger.SLA_BREACHED);
                    only(r, "customerReplies", replies != null, on, Trigger.CUSTOMER_REPLIED);
                }
                String raiseTo = r.text("raiseTo", true);
                if (raiseTo != null && !targets.contains(raiseTo)) {
                    reader.error(r.path() + ".raiseTo", "unknown level or specialist team '" + raiseTo + "', expected one of " + targets);
                }
                rules.add(new EscalationRule(name, on, reader.match(r.obj("when", false), refs), keywords, sentiment,
                        minWarning, metrics, r.bool("repeatContact"), replies, raiseTo));
            });
        }
        return new Escalation(ladder, specialists, List.copyOf(rules), calendar, repeats == null ? 2 : repeats,
                reEscalateAfter);
    }

    /** A rule condition that only means something for some triggers. */
    private void only(Node rule, String key, boolean given, Trigger on, Trigger... triggers) {
        if (given && !java.util.Arrays.asList(triggers).contains(on)) {
            reader.error(rule.path() + "." + key, "applies only to rules on " + java.util.Arrays.stream(triggers)
                    .map(t -> t.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-')).toList());
        }
    }

    List<EscalationLevel> levels(Node list) {
        List<EscalationLevel> levels = new ArrayList<>();
        if (list == null) {
            return levels;
        }
        Set<String> names = new HashSet<>();
        list.items().forEach(l -> {
            l.allow("name", "acknowledgeWithin");
            levels.add(new EscalationLevel(l.ruleName(names), l.duration("acknowledgeWithin", true)));
        });
        if (levels.isEmpty()) {
            reader.error(list.path(), "must have at least one level");
        }
        return List.copyOf(levels);
    }
}
