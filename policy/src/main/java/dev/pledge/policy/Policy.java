package dev.pledge.policy;

import dev.pledge.events.Channel;
import dev.pledge.events.ContactStatus;
import dev.pledge.events.Priority;
import dev.pledge.events.SlaMetric;
import dev.pledge.events.SurveyKind;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A validated customer-service policy. Build one with {@link PolicyLoader}; every reference in it
 * (calendar, tier, category, team, level) points at something the document defines.
 */
public record Policy(String name, ZoneId timeZone, List<String> tiers, List<String> teams,
        List<String> categories, Map<String, BusinessCalendar> calendars, Sla sla, Classification classification,
        Escalation escalation, Complaints complaints, Crisis crisis, Feedback feedback) {

    /** The longest tier, team and category name: services store them in columns of this size. */
    public static final int NAME_MAX = 60;
    /** The longest rule, level and calendar name: services store them in columns of this size. */
    public static final int RULE_NAME_MAX = 100;

    /** The calendar of that name, {@code 24x7} included. */
    public BusinessCalendar calendar(String calendarName) {
        if (BusinessCalendar.ALWAYS_NAME.equals(calendarName)) {
            return BusinessCalendar.ALWAYS;
        }
        BusinessCalendar calendar = calendars.get(calendarName);
        if (calendar == null) {
            throw new IllegalArgumentException("no calendar '" + calendarName + "' in policy");
        }
        return calendar;
    }

    /** The first SLA rule that matches; there always is one, because the last rule matches everything. */
    public SlaRule slaRule(Channel channel, Priority priority, String tier, String category) {
        return sla.rules().stream().filter(r -> r.when().matches(channel, priority, tier, category)).findFirst()
                .orElseThrow(() -> new IllegalStateException("policy has no fallback SLA rule"));
    }

    /**
     * Category, priority and team for a new contact. Values the front end gave win; the first
     * classification rule that matches fills the rest; the defaults fill what is still missing.
     */
    public Classified classify(Channel channel, String tier, String subject, String body, String category,
            Priority priority) {
        Keywords.Text text = Keywords.Text.of(subject, body);
        Optional<ClassificationRule> rule = classification.rules().stream()
                .filter(r -> r.matches(channel, tier, text)).findFirst();
        String c = category != null ? category
                : rule.map(ClassificationRule::category).orElse(classification.defaultCategory());
        Priority p = priority != null ? priority
                : rule.map(ClassificationRule::priority).orElse(classification.defaultPriority());
        String team = rule.map(ClassificationRule::team).orElse(null);
        boolean used = rule.isPresent() && (category == null || priority == null);
        return new Classified(c, p, team, used ? rule.get().name() : null);
    }

    public record Classified(String category, Priority priority, String team, String rule) {
    }

    /** Conditions of a rule; an empty set matches any value. */
    public record Match(Set<Channel> channels, Set<Priority> priorities, Set<String> tiers, Set<String> categories) {
        public static final Match ANY = new Match(Set.of(), Set.of(), Set.of(), Set.of());

        public boolean matches(Channel channel, Priority priority, String tier, String category) {
            return (channels.isEmpty() || channels.contains(channel))
                    && (priorities.isEmpty() || priorities.contains(priority))
                    && (tiers.isEmpty() || tiers.contains(tier))
                    && (categories.isEmpty() || categories.contains(category));
        }
    }

    /**
     * Statuses that stop each metric's clock (a metric not listed never pauses; promises never do), warning
     * thresholds in percent of a target, ordered target rules.
     */
    public record Sla(Map<SlaMetric, Set<ContactStatus>> pauses, List<Integer> warningPercents, List<SlaRule> rules) {
        /** Whether {@code metric}'s clock stops while the contact is {@code status}. */
        public boolean pauses(SlaMetric metric, ContactStatus status) {
            return pauses.getOrDefault(metric, Set.of()).contains(status);
        }
    }

    /** Targets counted in {@code calendar}; {@code nextResponse} and {@code resolution} may be null (no target). */
    public record SlaRule(String name, Match when, String calendar, Duration firstResponse, Duration nextResponse,
            Duration resolution) {
    }

    public record Classification(Duration repeatWindow, String defaultCategory, Priority defaultPriority,
            List<ClassificationRule> rules) {
    }

    /** Matches when any keyword occurs in subject or body as whole words (see {@link Keywords}) and the fields match. */
    public record ClassificationRule(String name, Keywords keywords, Set<Channel> channels, Set<String> tiers,
            String category, Priority priority, String team) {
        boolean matches(Channel channel, String tier, Keywords.Text text) {
            return (channels.isEmpty() || channels.contains(channel))
                    && (tiers.isEmpty() || tiers.contains(tier))
                    && (keywords.isEmpty() || keywords.matchesAny(text));
        }
    }

    /** A rung of the ladder, or a specialist team, with the time it has to acknowledge. */
    public record EscalationLevel(String name, Duration acknowledgeWithin) {
    }

    /** What sets off escalation rules. */
    public enum Trigger {
        CONTACT_RECEIVED, CONTACT_UPDATED, CUSTOMER_REPLIED, SLA_WARNING, SLA_BREACHED, COMPLAINT_DEADLINE_MISSED
    }

    /**
     * On {@code trigger}, when the contact matches {@code when} and every condition given: any of
     * {@code keywords} in subject or body, a negative sentiment of at least {@code negativeSentiment}
     * (see {@link Sentiment}), the warning threshold, one of the breached {@code metrics}, a repeat
     * contact, at least {@code customerReplies} customer replies since the last agent reply; then
     * raise to {@code raiseTo}, a ladder level or a specialist team. (The key is not {@code on}: YAML
     * 1.1 readers such as PyYAML read {@code on} as the boolean true.)
     */
    public record EscalationRule(String name, Trigger trigger, Match when, Keywords keywords,
            Double negativeSentiment, Integer minWarningPercent, Set<SlaMetric> metrics, boolean repeatContact,
            Integer customerReplies, String raiseTo) {
    }

    /**
     * The ladder (lowest first), specialist teams (first listed takes precedence), the rules, the
     * calendar acknowledgement deadlines count in, how often the top level is notified again when no
     * one acknowledges, and how long an acknowledged escalation may go without progress before it
     * climbs again (null: never).
     */
    public record Escalation(List<EscalationLevel> ladder, List<EscalationLevel> specialists,
            List<EscalationRule> rules, String calendar, int topLevelRepeats, Duration reEscalateAfter) {

        /** The rung's position on the ladder, or -1 for a specialist team or an unknown name. */
        public int rank(String level) {
            for (int i = 0; i < ladder.size(); i++) {
                if (ladder.get(i).name().equals(level)) {
                    return i;
                }
            }
            return -1;
        }

        public boolean isSpecialist(String name) {
            return specialists.stream().anyMatch(l -> l.name().equals(name));
        }

        /** The level or specialist team of that name. */
        public EscalationLevel level(String name) {
            return java.util.stream.Stream.concat(ladder.stream(), specialists.stream())
                    .filter(l -> l.name().equals(name)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("no escalation level '" + name + "' in policy"));
        }
    }

    /** ISO 10002 complaint handling: which categories are complaints, deadlines, required steps. */
    /**
     * Complaint handling: contacts of {@code categories} are complaints with acknowledgement and
     * final-response deadlines counted in {@code calendar}. A promise an agent made and broke opens a
     * complaint of {@code brokenPromiseCategory} (one of {@code categories}) when the contact is not one
     * already; null: it does not.
     */
    public record Complaints(Set<String> categories, String calendar, Duration acknowledgeWithin,
            Duration finalResponseWithin, List<String> steps, String brokenPromiseCategory) {
    }

    /** A crisis: at least {@code minimumCount} contacts of one category in {@code window}, and
     * {@code factor} times the category's average for a window of that size over {@code baselineWindow}. */
    public record Crisis(Duration window, Duration baselineWindow, double factor, int minimumCount,
            List<String> notifyWho) {
    }

    /**
     * A survey sent {@code delay} after the contact reaches status {@code after}; {@code sampling} in 0..1.
     * A contact gets at most one survey: at each status, the first survey in the policy's order that
     * matches and is drawn by its sampling.
     */
    public record Survey(SurveyKind kind, ContactStatus after, Set<Channel> channels, Duration delay,
            Duration expiresAfter, double sampling, String question) {
        /** {@code question}: what to ask; null asks the kind's standard question ({@link SurveyKind#question()}). */
        public Survey(SurveyKind kind, ContactStatus after, Set<Channel> channels, Duration delay,
                Duration expiresAfter, double sampling) {
            this(kind, after, channels, delay, expiresAfter, sampling, null);
        }
    }

    /**
     * KPI targets; null where the policy sets none. Percentages 0..100, NPS -100..100, CES 1..7 (the mean
     * answer; higher is better, as on every survey scale here).
     */
    public record Targets(Double csat, Double nps, Double ces, Double fcr, Double slaCompliance) {
    }

    /** {@code fatigueWindow}: no customer is asked more than once within it (zero: no limit). */
    public record Feedback(List<Survey> surveys, Duration fatigueWindow, Targets targets) {
    }
}
