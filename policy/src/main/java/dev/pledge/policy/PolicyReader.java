package dev.pledge.policy;

import dev.pledge.events.Channel;
import dev.pledge.events.Priority;
import dev.pledge.policy.Policy.*;
import java.time.DayOfWeek;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Walks a policy document: {@link #policy} reads the top level and hands each section to its reader
 * ({@code *Section}), which reports problems under their paths here; {@link Node} reads typed values.
 */
final class PolicyReader {
    final List<PolicyError> errors = new ArrayList<>();
    /** Where unknown fields go when reading tolerantly; null when they are errors. */
    final List<PolicyError> ignored;
    /** The keys allowed per object path, and the required keys by path: the document's shape. */
    final Map<String, Set<String>> allowed = new LinkedHashMap<>();
    final Set<String> required = new java.util.LinkedHashSet<>();

    PolicyReader(List<PolicyError> ignored) {
        this.ignored = ignored;
    }

    void error(String path, String message) {
        errors.add(new PolicyError(path.isEmpty() ? "$" : path, message));
    }

    void unknownField(String path, String message) {
        if (ignored != null) {
            ignored.add(new PolicyError(path, message));
        } else {
            error(path, message);
        }
    }

    Policy policy(Node root) {
        root.allow("name", "timeZone", "tiers", "teams", "categories", "calendars", "sla", "classification",
                "escalation", "complaints", "crisis", "feedback");
        String name = root.text("name", true);
        ZoneId zone = root.zone("timeZone", ZoneId.of("UTC"));
        List<String> tiers = root.names("tiers", true);
        List<String> teams = root.names("teams", false);
        List<String> categories = root.names("categories", true);
        Map<String, BusinessCalendar> calendars = new CalendarSection(this).calendars(root.obj("calendars", false), zone);
        Refs refs = new Refs(root, Set.copyOf(tiers), Set.copyOf(teams), Set.copyOf(categories), calendars.keySet());
        Sla sla = new SlaSection(this).sla(root.obj("sla", true), refs);
        Classification classification = new ClassificationSection(this).classification(root.obj("classification", true), refs);
        Escalation escalation = new EscalationSection(this).escalation(root.obj("escalation", true), refs);
        ComplaintSection complaintSection = new ComplaintSection(this);
        Complaints complaints = complaintSection.complaints(root.obj("complaints", true), refs);
        Crisis crisis = complaintSection.crisis(root.obj("crisis", true), refs);
        Feedback feedback = new FeedbackSection(this).feedback(root.obj("feedback", true));
        return new Policy(name, zone, tiers, teams, categories, calendars, sla, classification, escalation,
                complaints, crisis, feedback);
    }

    Match match(Node when, Refs refs) {
        if (when == null) {
            return Match.ANY;
        }
        when.allow("channels", "priorities", "tiers", "categories");
        return new Match(when.enums("channels", Channel.class), when.enums("priorities", Priority.class),
                refs.tiers(when), refs.categories(when));
    }

    static DayOfWeek dayOfWeek(String day) {
        try {
            return DayOfWeek.valueOf(day.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
