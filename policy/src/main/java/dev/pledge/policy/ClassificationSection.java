package dev.pledge.policy;

import dev.pledge.events.Channel;
import dev.pledge.events.Priority;
import dev.pledge.policy.Policy.*;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** {@code classification}: the repeat window, defaults, and the keyword rules that set category, priority and team. */
final class ClassificationSection {
    private final PolicyReader reader;

    ClassificationSection(PolicyReader reader) {
        this.reader = reader;
    }

    Classification classification(Node node, Refs refs) {
        if (node == null) {
            return null;
        }
        node.allow("repeatWindow", "defaultCategory", "defaultPriority", "rules");
        String defaultCategory = node.text("defaultCategory", true);
        refs.category(node.path() + ".defaultCategory", defaultCategory);
        Priority defaultPriority = node.enumField("defaultPriority", Priority.class, true);
        List<ClassificationRule> rules = new ArrayList<>();
        Node list = node.obj("rules", false);
        if (list != null) {
            Set<String> names = new HashSet<>();
            list.items().forEach(r -> {
                r.allow("name", "keywords", "channels", "tiers", "category", "priority", "team");
                String name = r.ruleName(names);
                Keywords keywords = Keywords.of(r.strings("keywords"));
                String category = r.text("category", false);
                refs.category(r.path() + ".category", category);
                Priority priority = r.enumField("priority", Priority.class, false);
                String team = r.text("team", false);
                refs.team(r.path() + ".team", team);
                if (category == null && priority == null && team == null) {
                    r.reader().error(r.path(), "must set at least one of category, priority, team");
                }
                Set<Channel> channels = r.enums("channels", Channel.class);
                Set<String> tiers = refs.tiers(r);
                if (keywords.isEmpty() && channels.isEmpty() && tiers.isEmpty()) {
                    r.reader().error(r.path(), "must have a condition: keywords, channels or tiers");
                }
                rules.add(new ClassificationRule(name, keywords, channels, tiers, category, priority, team));
            });
        }
        return new Classification(node.duration("repeatWindow", true), defaultCategory, defaultPriority,
                List.copyOf(rules));
    }
}
