package dev.pledge.policy;

import com.fasterxml.jackson.databind.node.TextNode;
import dev.pledge.events.ContactStatus;
import dev.pledge.events.SlaMetric;
import dev.pledge.policy.Policy.*;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** {@code sla}: pauses per metric, warning thresholds, and the rules that give each contact its targets. */
final class SlaSection {
    private final PolicyReader reader;

    SlaSection(PolicyReader reader) {
        this.reader = reader;
    }

    Sla sla(Node node, Refs refs) {
        if (node == null) {
            return null;
        }
        node.allow("pauses", "pauseStatuses", "warnings", "rules");
        Map<SlaMetric, Set<ContactStatus>> pauses = new EnumMap<>(SlaMetric.class);
        Node perMetric = node.obj("pauses", false);
        Node legacy = node.obj("pauseStatuses", false);
        if (perMetric != null && legacy != null) {
            reader.error(legacy.path(), "give either 'pauses' (statuses per metric) or 'pauseStatuses' (the same statuses"
                    + " for every metric but promises), not both");
        } else if (perMetric != null) {
            perMetric.fields().forEach((name, list) -> {
                SlaMetric metric = new Node(TextNode.valueOf(name), list.path(),
                        list.r()).enumValue(SlaMetric.class);
                if (metric == SlaMetric.PROMISE) {
                    reader.error(list.path(), "a promise runs around the clock to its due time; it never pauses");
                } else if (metric != null) {
                    pauses.put(metric, pauseStatuses(list));
                }
            });
        } else if (legacy != null) {
            // The first form of the document: one list for every metric but promises. Stored versions keep it.
            Set<ContactStatus> statuses = pauseStatuses(legacy);
            for (SlaMetric metric : SlaMetric.values()) {
                if (metric != SlaMetric.PROMISE) {
                    pauses.put(metric, statuses);
                }
            }
        }
        List<Integer> warnings = new ArrayList<>();
        Node w = node.obj("warnings", false);
        if (w != null) {
            w.items().forEach(item -> {
                if (!item.node().canConvertToInt() || item.node().asInt() < 1 || item.node().asInt() > 99) {
                    reader.error(item.path(), "must be a whole percentage from 1 to 99");
                } else if (warnings.contains(item.node().asInt())) {
                    reader.error(item.path(), "repeats threshold " + item.node().asInt());
                } else {
                    warnings.add(item.node().asInt());
                }
            });
        }
        warnings.sort(Integer::compare);
        List<SlaRule> rules = new ArrayList<>();
        Node list = node.obj("rules", true);
        if (list != null) {
            Set<String> names = new HashSet<>();
            List<Boolean> fallbacks = new ArrayList<>();
            list.items().forEach(r -> {
                r.allow("name", "when", "calendar", "firstResponse", "nextResponse", "resolution");
                String name = r.ruleName(names);
                Node whenNode = r.obj("when", false);
                // A 'when' whose values were all refused is an error of its own, not a fallback.
                fallbacks.add(whenNode == null || whenNode.node().isEmpty());
                Match when = reader.match(whenNode, refs);
                String calendar = r.text("calendar", false);
                if (calendar == null) {
                    calendar = BusinessCalendar.ALWAYS_NAME;
                } else {
                    refs.calendar(r.path() + ".calendar", calendar);
                }
                rules.add(new SlaRule(name, when, calendar, r.duration("firstResponse", true),
                        r.duration("nextResponse", false), r.duration("resolution", false)));
            });
            requireFallback(list, fallbacks);
        }
        return new Sla(Map.copyOf(pauses), List.copyOf(warnings), List.copyOf(rules));
    }

    Set<ContactStatus> pauseStatuses(Node list) {
        Set<ContactStatus> pause = new HashSet<>();
        list.items().forEach(s -> {
            ContactStatus status = s.enumValue(ContactStatus.class);
            if (status != null && status.isDone()) {
                reader.error(s.path(), "a resolved or closed contact stops its timers; it cannot be a pause status");
            } else if (status != null) {
                pause.add(status);
            }
        });
        return Set.copyOf(pause);
    }

    void requireFallback(Node list, List<Boolean> fallbacks) {
        if (fallbacks.isEmpty()) {
            reader.error(list.path(), "must have at least one rule");
            return;
        }
        for (int i = 0; i < fallbacks.size() - 1; i++) {
            if (fallbacks.get(i)) {
                reader.error(list.path() + "[" + i + "]", "matches everything, so the rules after it never apply; only the last rule may be the fallback");
            }
        }
        if (!fallbacks.get(fallbacks.size() - 1)) {
            reader.error(list.path(), "the last rule must be a fallback with no 'when', so every contact gets a target");
        }
    }
}
