package dev.pledge.policy;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.pledge.events.Channel;
import dev.pledge.events.ContactStatus;
import dev.pledge.events.Priority;
import dev.pledge.events.SlaMetric;
import dev.pledge.events.SurveyKind;
import dev.pledge.policy.Policy.*;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
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

/**
 * Reads a policy document (YAML or JSON) into a {@link Policy}, collecting every problem with its
 * path instead of stopping at the first: an operator fixing a policy sees the whole list at once.
 */
public final class PolicyLoader {

    private static final ObjectMapper YAML = YAMLMapper.builder().build();
    private static final ObjectMapper JSON = JsonMapper.builder().build();
    private static final String DEFAULT_POLICY = "/dev/pledge/policy/default-policy.yaml";
    /** No customer is asked for feedback twice within it, unless the policy says otherwise. */
    public static final java.time.Duration DEFAULT_FATIGUE_WINDOW = java.time.Duration.ofDays(30);
    private static final String SCHEMA = "/dev/pledge/policy/policy.schema.json";

    /** Parses YAML (which includes JSON) to a tree, or fails with an error at path {@code $}. */
    public static JsonNode parse(String text) {
        try {
            JsonNode tree = YAML.readTree(text);
            if (tree == null || !tree.isObject()) {
                throw new InvalidPolicyException(List.of(new PolicyError("$", "must be a YAML or JSON object")));
            }
            return tree;
        } catch (JacksonException e) {
            throw new InvalidPolicyException(List.of(new PolicyError("$", "not valid YAML or JSON: "
                    + e.getOriginalMessage() + location(e))));
        }
    }

    /** Parses and validates a document. */
    public static Policy load(String text) {
        return read(parse(text));
    }

    /** Validates a parsed document; throws {@link InvalidPolicyException} with every error. */
    public static Policy read(JsonNode document) {
        return read(document, null);
    }

    /**
     * Reads a version that was validated when it was published, by a writer that may be newer than
     * this reader: fields this version of Pledge does not know are passed over and added to
     * {@code ignored} (for the caller to log) instead of refusing the document. Everything else is
     * checked as strictly as {@link #read(JsonNode)} does.
     */
    public static Policy readTolerant(JsonNode document, List<PolicyError> ignored) {
        return read(document, ignored);
    }

    private static Policy read(JsonNode document, List<PolicyError> ignored) {
        Reader r = new Reader(ignored);
        Policy policy = r.policy(new Obj(document, "", r));
        if (!r.errors.isEmpty()) {
            throw new InvalidPolicyException(r.errors);
        }
        return policy;
    }

    /** The JSON Schema of the document, for editors (served at {@code GET /policy/schema}). */
    public static String schemaText() {
        try (InputStream in = PolicyLoader.class.getResourceAsStream(SCHEMA)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * What the reader reads of a document: for each object it read, the keys it allows, and each key
     * it requires (by path). The schema test holds {@code policy.schema.json} to exactly this.
     */
    record Shape(Map<String, Set<String>> allowed, Set<String> required) {
    }

    static Shape shapeOf(JsonNode document) {
        Reader r = new Reader(null);
        r.policy(new Obj(document, "", r));
        return new Shape(r.allowed, r.required);
    }

    /** The policy that ships with Pledge, published when no version exists yet. */
    public static String defaultPolicyText() {
        try (InputStream in = PolicyLoader.class.getResourceAsStream(DEFAULT_POLICY)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Policy defaultPolicy() {
        return load(defaultPolicyText());
    }

    /** The document as compact JSON, the form published on the policy topic. */
    public static String toJson(JsonNode document) {
        try {
            return JSON.writeValueAsString(document);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String location(JacksonException e) {
        return e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ", column "
                + e.getLocation().getColumnNr() + ")";
    }

    /** Walks the tree; each method reads one section and reports problems under its path. */
    private static final class Reader {
        final List<PolicyError> errors = new ArrayList<>();
        /** Where unknown fields go when reading tolerantly; null when they are errors. */
        final List<PolicyError> ignored;
        /** The keys allowed per object path, and the required keys by path: the document's shape. */
        final Map<String, Set<String>> allowed = new LinkedHashMap<>();
        final Set<String> required = new java.util.LinkedHashSet<>();

        Reader(List<PolicyError> ignored) {
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

        Policy policy(Obj root) {
            root.allow("name", "timeZone", "tiers", "teams", "categories", "calendars", "sla", "classification",
                    "escalation", "complaints", "crisis", "feedback");
            String name = root.text("name", true);
            ZoneId zone = root.zone("timeZone", ZoneId.of("UTC"));
            List<String> tiers = root.names("tiers", true);
            List<String> teams = root.names("teams", false);
            List<String> categories = root.names("categories", true);
            Map<String, BusinessCalendar> calendars = calendars(root.obj("calendars", false), zone);
            Refs refs = new Refs(root, Set.copyOf(tiers), Set.copyOf(teams), Set.copyOf(categories), calendars.keySet());
            Sla sla = sla(root.obj("sla", true), refs);
            Classification classification = classification(root.obj("classification", true), refs);
            Escalation escalation = escalation(root.obj("escalation", true), refs);
            Complaints complaints = complaints(root.obj("complaints", true), refs);
            Crisis crisis = crisis(root.obj("crisis", true), refs);
            Feedback feedback = feedback(root.obj("feedback", true));
            return new Policy(name, zone, tiers, teams, categories, calendars, sla, classification, escalation,
                    complaints, crisis, feedback);
        }

        Map<String, BusinessCalendar> calendars(Obj node, ZoneId defaultZone) {
            Map<String, BusinessCalendar> calendars = new LinkedHashMap<>();
            if (node == null) {
                return calendars;
            }
            node.fields().forEach((name, cal) -> {
                if (BusinessCalendar.ALWAYS_NAME.equals(name)) {
                    error(cal.path, "'24x7' is built in and cannot be redefined");
                    return;
                }
                if (name.length() > Policy.RULE_NAME_MAX) {
                    error(cal.path, "a calendar name must be at most " + Policy.RULE_NAME_MAX + " characters");
                }
                cal.allow("timeZone", "hours", "holidays");
                ZoneId zone = cal.zone("timeZone", defaultZone);
                Map<DayOfWeek, List<TimeSpan>> hours = new EnumMap<>(DayOfWeek.class);
                Obj week = cal.obj("hours", true);
                if (week != null) {
                    week.fields().forEach((day, spans) -> {
                        DayOfWeek dow = dayOfWeek(day);
                        if (dow == null) {
                            error(spans.path, "unknown day, expected monday..sunday");
                            return;
                        }
                        List<TimeSpan> list = new ArrayList<>();
                        spans.items().forEach(item -> {
                            TimeSpan span = item.node.isTextual() ? TimeSpan.parse(item.node.asText()) : null;
                            if (span == null) {
                                error(item.path, "must be a time span such as '09:00-17:00' ('22:00-06:00' runs past midnight)");
                            } else {
                                list.add(span);
                            }
                        });
                        checkOverlaps(spans.path, list);
                        list.sort((a, b) -> a.startMinute() - b.startMinute());
                        hours.put(dow, List.copyOf(list));
                    });
                    if (hours.values().stream().allMatch(List::isEmpty)) {
                        error(week.path, "must give working hours on at least one day");
                    }
                    checkOvernightOverlaps(week.path, hours);
                }
                Set<LocalDate> dates = new HashSet<>();
                Set<MonthDay> yearly = new HashSet<>();
                Obj holidays = cal.obj("holidays", false);
                if (holidays != null) {
                    holidays.items().forEach(item -> {
                        String text = item.node.asText();
                        try {
                            if (text.length() == 5) {
                                yearly.add(MonthDay.parse("--" + text));
                            } else {
                                dates.add(LocalDate.parse(text));
                            }
                        } catch (RuntimeException e) {
                            error(item.path, "must be a date (2026-12-25) or a yearly month-day (12-25)");
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
                    error(path, "spans " + prev + " and " + sorted.get(i) + " overlap");
                }
            }
        }

        /** An overnight span must end before the next day's first span starts. */
        void checkOvernightOverlaps(String path, Map<DayOfWeek, List<TimeSpan>> hours) {
            hours.forEach((day, spans) -> spans.stream().filter(TimeSpan::overnight).forEach(night -> {
                DayOfWeek next = day.plus(1);
                hours.getOrDefault(next, List.of()).stream().findFirst()
                        .filter(morning -> morning.startMinute() < night.endMinute())
                        .ifPresent(morning -> error(path + "." + day.name().toLowerCase(Locale.ROOT), "span " + night
                                + " runs into " + next.name().toLowerCase(Locale.ROOT) + "'s " + morning));
            }));
        }

        Sla sla(Obj node, Refs refs) {
            if (node == null) {
                return null;
            }
            node.allow("pauses", "pauseStatuses", "warnings", "rules");
            Map<SlaMetric, Set<ContactStatus>> pauses = new EnumMap<>(SlaMetric.class);
            Obj perMetric = node.obj("pauses", false);
            Obj legacy = node.obj("pauseStatuses", false);
            if (perMetric != null && legacy != null) {
                error(legacy.path, "give either 'pauses' (statuses per metric) or 'pauseStatuses' (the same statuses"
                        + " for every metric but promises), not both");
            } else if (perMetric != null) {
                perMetric.fields().forEach((name, list) -> {
                    SlaMetric metric = new Obj(TextNode.valueOf(name), list.path,
                            list.r).enumValue(SlaMetric.class);
                    if (metric == SlaMetric.PROMISE) {
                        error(list.path, "a promise runs around the clock to its due time; it never pauses");
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
            Obj w = node.obj("warnings", false);
            if (w != null) {
                w.items().forEach(item -> {
                    if (!item.node.canConvertToInt() || item.node.asInt() < 1 || item.node.asInt() > 99) {
                        error(item.path, "must be a whole percentage from 1 to 99");
                    } else if (warnings.contains(item.node.asInt())) {
                        error(item.path, "repeats threshold " + item.node.asInt());
                    } else {
                        warnings.add(item.node.asInt());
                    }
                });
            }
            warnings.sort(Integer::compare);
            List<SlaRule> rules = new ArrayList<>();
            Obj list = node.obj("rules", true);
            if (list != null) {
                Set<String> names = new HashSet<>();
                List<Boolean> fallbacks = new ArrayList<>();
                list.items().forEach(r -> {
                    r.allow("name", "when", "calendar", "firstResponse", "nextResponse", "resolution");
                    String name = r.ruleName(names);
                    Obj whenNode = r.obj("when", false);
                    // A 'when' whose values were all refused is an error of its own, not a fallback.
                    fallbacks.add(whenNode == null || whenNode.node().isEmpty());
                    Match when = match(whenNode, refs);
                    String calendar = r.text("calendar", false);
                    if (calendar == null) {
                        calendar = BusinessCalendar.ALWAYS_NAME;
                    } else {
                        refs.calendar(r.path + ".calendar", calendar);
                    }
                    rules.add(new SlaRule(name, when, calendar, r.duration("firstResponse", true),
                            r.duration("nextResponse", false), r.duration("resolution", false)));
                });
                requireFallback(list, fallbacks);
            }
            return new Sla(Map.copyOf(pauses), List.copyOf(warnings), List.copyOf(rules));
        }

        Set<ContactStatus> pauseStatuses(Obj list) {
            Set<ContactStatus> pause = new HashSet<>();
            list.items().forEach(s -> {
                ContactStatus status = s.enumValue(ContactStatus.class);
                if (status != null && status.isDone()) {
                    error(s.path, "a resolved or closed contact stops its timers; it cannot be a pause status");
                } else if (status != null) {
                    pause.add(status);
                }
            });
            return Set.copyOf(pause);
        }

        void requireFallback(Obj list, List<Boolean> fallbacks) {
            if (fallbacks.isEmpty()) {
                error(list.path, "must have at least one rule");
                return;
            }
            for (int i = 0; i < fallbacks.size() - 1; i++) {
                if (fallbacks.get(i)) {
                    error(list.path + "[" + i + "]", "matches everything, so the rules after it never apply; only the last rule may be the fallback");
                }
            }
            if (!fallbacks.get(fallbacks.size() - 1)) {
                error(list.path, "the last rule must be a fallback with no 'when', so every contact gets a target");
            }
        }

        Match match(Obj when, Refs refs) {
            if (when == null) {
                return Match.ANY;
            }
            when.allow("channels", "priorities", "tiers", "categories");
            return new Match(when.enums("channels", Channel.class), when.enums("priorities", Priority.class),
                    refs.tiers(when), refs.categories(when));
        }

        Classification classification(Obj node, Refs refs) {
            if (node == null) {
                return null;
            }
            node.allow("repeatWindow", "defaultCategory", "defaultPriority", "rules");
            String defaultCategory = node.text("defaultCategory", true);
            refs.category(node.path + ".defaultCategory", defaultCategory);
            Priority defaultPriority = node.enumField("defaultPriority", Priority.class, true);
            List<ClassificationRule> rules = new ArrayList<>();
            Obj list = node.obj("rules", false);
            if (list != null) {
                Set<String> names = new HashSet<>();
                list.items().forEach(r -> {
                    r.allow("name", "keywords", "channels", "tiers", "category", "priority", "team");
                    String name = r.ruleName(names);
                    Keywords keywords = Keywords.of(r.strings("keywords"));
                    String category = r.text("category", false);
                    refs.category(r.path + ".category", category);
                    Priority priority = r.enumField("priority", Priority.class, false);
                    String team = r.text("team", false);
                    refs.team(r.path + ".team", team);
                    if (category == null && priority == null && team == null) {
                        r.reader().error(r.path, "must set at least one of category, priority, team");
                    }
                    Set<Channel> channels = r.enums("channels", Channel.class);
                    Set<String> tiers = refs.tiers(r);
                    if (keywords.isEmpty() && channels.isEmpty() && tiers.isEmpty()) {
                        r.reader().error(r.path, "must have a condition: keywords, channels or tiers");
                    }
                    rules.add(new ClassificationRule(name, keywords, channels, tiers, category, priority, team));
                });
            }
            return new Classification(node.duration("repeatWindow", true), defaultCategory, defaultPriority,
                    List.copyOf(rules));
        }

        Escalation escalation(Obj node, Refs refs) {
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
                    error(node.path + ".specialists", "'" + l.name() + "' is already a ladder level");
                }
            });
            String calendar = node.text("calendar", false);
            if (calendar == null) {
                calendar = BusinessCalendar.ALWAYS_NAME;
            } else {
                refs.calendar(node.path + ".calendar", calendar);
            }
            Integer repeats = node.integer("topLevelRepeats", 0, 20);
            java.time.Duration reEscalateAfter = node.duration("reEscalateAfter", false);
            List<EscalationRule> rules = new ArrayList<>();
            Obj list = node.obj("rules", false);
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
                        error(r.path + ".raiseTo", "unknown level or specialist team '" + raiseTo + "', expected one of " + targets);
                    }
                    rules.add(new EscalationRule(name, on, match(r.obj("when", false), refs), keywords, sentiment,
                            minWarning, metrics, r.bool("repeatContact"), replies, raiseTo));
                });
            }
            return new Escalation(ladder, specialists, List.copyOf(rules), calendar, repeats == null ? 2 : repeats,
                    reEscalateAfter);
        }

        /** A rule condition that only means something for some triggers. */
        private void only(Obj rule, String key, boolean given, Trigger on, Trigger... triggers) {
            if (given && !java.util.Arrays.asList(triggers).contains(on)) {
                error(rule.path + "." + key, "applies only to rules on " + java.util.Arrays.stream(triggers)
                        .map(t -> t.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-')).toList());
            }
        }

        List<EscalationLevel> levels(Obj list) {
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
                error(list.path, "must have at least one level");
            }
            return List.copyOf(levels);
        }

        Complaints complaints(Obj node, Refs refs) {
            if (node == null) {
                return null;
            }
            node.allow("categories", "calendar", "acknowledgeWithin", "finalResponseWithin", "steps",
                    "brokenPromiseCategory");
            Set<String> categories = refs.categories(node);
            if (categories.isEmpty()) {
                error(node.path + ".categories", "must name the categories handled as complaints");
            }
            String calendar = node.text("calendar", false);
            if (calendar == null) {
                calendar = BusinessCalendar.ALWAYS_NAME;
            } else {
                refs.calendar(node.path + ".calendar", calendar);
            }
            var ack = node.duration("acknowledgeWithin", true);
            var fin = node.duration("finalResponseWithin", true);
            if (ack != null && fin != null && ack.compareTo(fin) >= 0) {
                error(node.path + ".finalResponseWithin", "must be longer than acknowledgeWithin");
            }
            String brokenPromise = node.text("brokenPromiseCategory", false);
            if (brokenPromise != null && !categories.contains(brokenPromise)) {
                error(node.path + ".brokenPromiseCategory", "must be one of the complaint categories " + categories
                        + ", was '" + brokenPromise + "'");
            }
            return new Complaints(categories, calendar, ack, fin, node.strings("steps"), brokenPromise);
        }

        Crisis crisis(Obj node, Refs refs) {
            if (node == null) {
                return null;
            }
            node.allow("window", "baselineWindow", "factor", "minimumCount", "notify");
            var window = node.duration("window", true);
            var baseline = node.duration("baselineWindow", true);
            if (window != null && baseline != null && baseline.compareTo(window) <= 0) {
                error(node.path + ".baselineWindow", "must be longer than window");
            }
            Double factor = node.number("factor", true, 1.0, 1000.0);
            Integer minimum = node.integer("minimumCount", 1, Integer.MAX_VALUE);
            List<String> notify = node.strings("notify");
            if (notify.isEmpty()) {
                error(node.path + ".notify", "must name who is told of a crisis");
            }
            return new Crisis(window, baseline, factor == null ? 0 : factor, minimum == null ? 1 : minimum, notify);
        }

        Feedback feedback(Obj node) {
            if (node == null) {
                return null;
            }
            node.allow("surveys", "fatigueWindow", "targets");
            List<Survey> surveys = new ArrayList<>();
            Obj list = node.obj("surveys", false);
            if (list != null) {
                list.items().forEach(s -> {
                    s.allow("kind", "after", "channels", "delay", "expiresAfter", "sampling", "question");
                    ContactStatus after = s.enumField("after", ContactStatus.class, true);
                    Double sampling = s.number("sampling", false, 0.0, 1.0);
                    String question = s.text("question", false);
                    if (question != null && question.length() > 300) {
                        error(s.path + ".question", "must be at most 300 characters");
                    }
                    surveys.add(new Survey(s.enumField("kind", SurveyKind.class, true), after,
                            s.enums("channels", Channel.class), s.durationOrZero("delay"),
                            s.duration("expiresAfter", true), sampling == null ? 1.0 : sampling, question));
                });
            }
            Targets targets = null;
            Obj t = node.obj("targets", false);
            if (t != null) {
                t.allow("csat", "nps", "ces", "fcr", "slaCompliance");
                targets = new Targets(t.number("csat", false, 0.0, 100.0), t.number("nps", false, -100.0, 100.0),
                        t.number("ces", false, 1.0, 7.0), t.number("fcr", false, 0.0, 100.0),
                        t.number("slaCompliance", false, 0.0, 100.0));
            }
            java.time.Duration fatigue = node.get("fatigueWindow", false) == null ? DEFAULT_FATIGUE_WINDOW
                    : node.durationOrZero("fatigueWindow");
            return new Feedback(List.copyOf(surveys), fatigue, targets);
        }

        static DayOfWeek dayOfWeek(String day) {
            try {
                return DayOfWeek.valueOf(day.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                return null;
            }
        }
    }

    /** Names the document defines, so that a reference to an undefined one is reported where it is. */
    private record Refs(Obj root, Set<String> tiers, Set<String> teams, Set<String> categories, Set<String> calendars) {
        Set<String> tiers(Obj node) {
            return checked(node, "tiers", tiers);
        }

        Set<String> categories(Obj node) {
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

        private Set<String> checked(Obj node, String field, Set<String> known) {
            List<String> values = node.strings(field);
            for (int i = 0; i < values.size(); i++) {
                check(node.path + "." + field + "[" + i + "]", values.get(i), field.substring(0, field.length() - 1)
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

    /** A node of the document with its path; typed getters report problems instead of throwing. */
    private record Obj(JsonNode node, String path, Reader r) {
        Reader reader() {
            return r;
        }

        String at(String key) {
            return path.isEmpty() ? key : path + "." + key;
        }

        void allow(String... keys) {
            if (!node.isObject()) {
                r.error(path, "must be an object");
                return;
            }
            Set<String> allowed = Set.of(keys);
            r.allowed.put(path, allowed);
            node.fieldNames().forEachRemaining(k -> {
                if (!allowed.contains(k)) {
                    r.unknownField(at(k), "unknown field, expected one of " + List.of(keys));
                }
            });
        }

        JsonNode get(String key, boolean required) {
            if (required) {
                r.required.add(at(key));
            }
            JsonNode v = node.isObject() ? node.get(key) : null;
            if (v == null || v.isNull()) {
                if (required) {
                    r.error(at(key), "is required");
                }
                return null;
            }
            return v;
        }

        Obj obj(String key, boolean required) {
            JsonNode v = get(key, required);
            return v == null ? null : new Obj(v, at(key), r);
        }

        Map<String, Obj> fields() {
            Map<String, Obj> out = new LinkedHashMap<>();
            if (!node.isObject()) {
                r.error(path, "must be an object");
                return out;
            }
            node.fields().forEachRemaining(e -> out.put(e.getKey(), new Obj(e.getValue(), at(e.getKey()), r)));
            return out;
        }

        List<Obj> items() {
            List<Obj> out = new ArrayList<>();
            if (!node.isArray()) {
                r.error(path, "must be a list");
                return out;
            }
            for (int i = 0; i < node.size(); i++) {
                out.add(new Obj(node.get(i), path + "[" + i + "]", r));
            }
            return out;
        }

        String text(String key, boolean required) {
            JsonNode v = get(key, required);
            if (v == null) {
                return null;
            }
            if (!v.isValueNode() || v.asText().isBlank()) {
                r.error(at(key), "must be a non-empty string");
                return null;
            }
            return v.asText().trim();
        }

        String ruleName(Set<String> seen) {
            String name = text("name", true);
            if (name != null && name.length() > Policy.RULE_NAME_MAX) {
                r.error(at("name"), "must be at most " + Policy.RULE_NAME_MAX + " characters");
            } else if (name != null && !seen.add(name)) {
                r.error(at("name"), "repeats the name '" + name + "'");
            }
            return name;
        }

        List<String> strings(String key) {
            Obj list = obj(key, false);
            List<String> out = new ArrayList<>();
            if (list == null) {
                return out;
            }
            list.items().forEach(item -> {
                if (!item.node.isValueNode() || item.node.asText().isBlank()) {
                    r.error(item.path, "must be a non-empty string");
                } else {
                    out.add(item.node.asText().trim());
                }
            });
            return out;
        }

        /** Names list: required means at least one. */
        List<String> names(String key, boolean required) {
            if (required) {
                r.required.add(at(key));
            }
            List<String> out = strings(key);
            if (required && out.isEmpty() && get(key, false) == null) {
                r.error(at(key), "is required");
            } else if (required && out.isEmpty()) {
                r.error(at(key), "must not be empty");
            }
            if (new HashSet<>(out).size() != out.size()) {
                r.error(at(key), "has repeated names");
            }
            for (int i = 0; i < out.size(); i++) {
                if (out.get(i).length() > Policy.NAME_MAX) {
                    r.error(at(key) + "[" + i + "]", "must be at most " + Policy.NAME_MAX + " characters");
                }
            }
            return List.copyOf(out);
        }

        java.time.Duration duration(String key, boolean required) {
            JsonNode v = get(key, required);
            if (v == null) {
                return null;
            }
            try {
                java.time.Duration d = java.time.Duration.parse(v.asText());
                if (!d.isNegative() && !d.isZero()) {
                    return d;
                }
            } catch (RuntimeException e) {
                // reported below
            }
            r.error(at(key), "must be a positive ISO-8601 duration such as PT2M, PT24H or P30D, was '" + v.asText() + "'");
            return null;
        }

        java.time.Duration durationOrZero(String key) {
            JsonNode v = get(key, false);
            if (v != null && "PT0S".equals(v.asText())) {
                return java.time.Duration.ZERO;
            }
            java.time.Duration d = duration(key, false);
            return d == null ? java.time.Duration.ZERO : d;
        }

        ZoneId zone(String key, ZoneId fallback) {
            String text = text(key, false);
            if (text == null) {
                return fallback;
            }
            try {
                return ZoneId.of(text);
            } catch (RuntimeException e) {
                r.error(at(key), "must be a time zone such as Europe/London or UTC, was '" + text + "'");
                return fallback;
            }
        }

        <E extends Enum<E>> E enumValue(Class<E> type) {
            String text = node.asText();
            for (E e : type.getEnumConstants()) {
                if (e.name().equals(text.toUpperCase(Locale.ROOT).replace('-', '_'))) {
                    return e;
                }
            }
            r.error(path, "unknown value '" + text + "', expected one of " + java.util.Arrays.stream(type.getEnumConstants())
                    .map(e -> e.name().toLowerCase(Locale.ROOT).replace('_', '-')).toList());
            return null;
        }

        <E extends Enum<E>> E enumField(String key, Class<E> type, boolean required) {
            Obj v = obj(key, required);
            return v == null ? null : v.enumValue(type);
        }

        <E extends Enum<E>> Set<E> enums(String key, Class<E> type) {
            Obj list = obj(key, false);
            Set<E> out = new HashSet<>();
            if (list != null) {
                list.items().forEach(item -> {
                    E e = item.enumValue(type);
                    if (e != null) {
                        out.add(e);
                    }
                });
            }
            return Set.copyOf(out);
        }

        Integer integer(String key, int min, int max) {
            JsonNode v = get(key, false);
            if (v == null) {
                return null;
            }
            if (!v.canConvertToInt() || !v.isIntegralNumber() || v.asInt() < min || v.asInt() > max) {
                r.error(at(key), "must be a whole number from " + min + " to " + max);
                return null;
            }
            return v.asInt();
        }

        Double number(String key, boolean required, double min, double max) {
            JsonNode v = get(key, required);
            if (v == null) {
                return null;
            }
            if (!v.isNumber() || v.asDouble() < min || v.asDouble() > max) {
                r.error(at(key), "must be a number from " + min + " to " + max);
                return null;
            }
            return v.asDouble();
        }

        boolean bool(String key) {
            JsonNode v = get(key, false);
            if (v != null && !v.isBoolean()) {
                r.error(at(key), "must be true or false");
                return false;
            }
            return v != null && v.asBoolean();
        }
    }

    private PolicyLoader() {
    }
}
