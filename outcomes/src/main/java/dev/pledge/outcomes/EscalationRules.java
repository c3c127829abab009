package dev.pledge.outcomes;

import dev.pledge.events.Channel;
import dev.pledge.events.ContactStatus;
import dev.pledge.events.Priority;
import dev.pledge.events.SlaMetric;
import dev.pledge.policy.Keywords;
import dev.pledge.policy.Policy;
import dev.pledge.policy.Sentiment;
import java.util.ArrayList;
import java.util.List;

/**
 * Which escalation rules of a policy match an event, and what they decide together: the highest
 * ladder level any of them raises to, and the specialist team listed first among those they name.
 * Pure: no state, no I/O; the whole meaning of a rule is here.
 */
public final class EscalationRules {

    private EscalationRules() {
    }

    /**
     * What a rule may look at. {@code text} is the subject and body (contact-received only);
     * {@code warningPercent} and {@code metric} come from SLA events; {@code repeatOf} names the earlier
     * contact when this one repeats it; {@code customerReplies} counts replies since the last agent reply.
     */
    public record Facts(Channel channel, Priority priority, String tier, String category, String subject, String body,
            String repeatOf, Integer warningPercent, SlaMetric metric, int customerReplies) {

        public static Facts of(Channel channel, Priority priority, String tier, String category) {
            return new Facts(channel, priority, tier, category, null, null, null, null, null, 0);
        }
    }

    /** A matching rule and why it matched, in words for the people who read the escalation. */
    public record Match(Policy.EscalationRule rule, String reason) {
    }

    /**
     * What the matching rules decide: raise to {@code level} (by {@code levelRule}) and/or to the
     * specialist {@code team} (by {@code teamRule}); either may be null, both are when nothing matched.
     */
    public record Decision(String level, Match levelRule, String team, Match teamRule) {
        public static final Decision NONE = new Decision(null, null, null, null);

        public boolean isEmpty() {
            return level == null && team == null;
        }
    }

    /**
     * Whether rules are asked at all: a resolved or closed contact escalates no more, except for a promise
     * broken ({@code metric} of the SLA event, null for other triggers): that is owed after resolution too.
     */
    public static boolean apply(ContactStatus status, SlaMetric metric) {
        return !status.isDone() || metric == SlaMetric.PROMISE;
    }

    /** Every rule on {@code trigger} that matches, in policy order. */
    public static List<Match> matching(Policy.Escalation escalation, Policy.Trigger trigger, Facts facts) {
        List<Match> found = new ArrayList<>();
        Keywords.Text text = null;
        Double sentiment = null;
        for (Policy.EscalationRule rule : escalation.rules()) {
            if (rule.trigger() != trigger
                    || !rule.when().matches(facts.channel(), facts.priority(), facts.tier(), facts.category())) {
                continue;
            }
            List<String> why = new ArrayList<>();
            if (!rule.keywords().isEmpty()) {
                if (text == null) {
                    text = Keywords.Text.of(facts.subject(), facts.body());
                }
                List<String> words = rule.keywords().matches(text);
                if (words.isEmpty()) {
                    continue;
                }
                why.add("mentions " + String.join(", ", words.stream().map(w -> "'" + w + "'").toList()));
            }
            if (rule.negativeSentiment() != null) {
                if (sentiment == null) {
                    sentiment = Sentiment.score(facts.subject(), facts.body());
                }
                if (sentiment > -rule.negativeSentiment()) {
                    continue;
                }
                why.add("sentiment " + sentiment);
            }
            if (rule.minWarningPercent() != null) {
                if (facts.warningPercent() == null || facts.warningPercent() < rule.minWarningPercent()) {
                    continue;
                }
            }
            if (!rule.metrics().isEmpty() && (facts.metric() == null || !rule.metrics().contains(facts.metric()))) {
                continue;
            }
            if (rule.repeatContact()) {
                if (facts.repeatOf() == null) {
                    continue;
                }
                why.add("repeats contact " + facts.repeatOf());
            }
            if (rule.customerReplies() != null) {
                if (facts.customerReplies() < rule.customerReplies()) {
                    continue;
                }
                why.add(facts.customerReplies() + " customer replies since the last agent reply");
            }
            found.add(new Match(rule, describe(trigger, facts, why)));
        }
        return found;
    }

    /** The highest ladder level and the first-listed specialist team among the matching rules. */
    public static Decision decide(Policy.Escalation escalation, Policy.Trigger trigger, Facts facts) {
        List<Match> matches = matching(escalation, trigger, facts);
        if (matches.isEmpty()) {
            return Decision.NONE;
        }
        Match levelRule = null;
        Match teamRule = null;
        for (Match m : matches) {
            String target = m.rule().raiseTo();
            int rank = escalation.rank(target);
            if (rank >= 0) {
                if (levelRule == null || rank > escalation.rank(levelRule.rule().raiseTo())) {
                    levelRule = m;
                }
            } else if (teamRule == null || precedence(escalation, target) < precedence(escalation, teamRule.rule().raiseTo())) {
                teamRule = m;
            }
        }
        return new Decision(levelRule == null ? null : levelRule.rule().raiseTo(), levelRule,
                teamRule == null ? null : teamRule.rule().raiseTo(), teamRule);
    }

    /** What a decision does to an escalation: raises its ladder level, and/or moves it to a team listed first. */
    public record Raise(boolean higher, boolean firstTeam) {
        public boolean any() {
            return higher || firstTeam;
        }
    }

    /**
     * What {@code d} does to an open escalation at {@code level} and {@code team} (either null): it raises only
     * to a higher level or to a team listed before the current one, so one contact never has two escalations
     * open. A level the deciding version's ladder lacks (a newer version renamed or dropped it) counts as its
     * top: a policy change never demotes an open escalation.
     */
    public static Raise raises(Policy.Escalation escalation, String level, String team, Decision d) {
        int current = level == null ? -1 : escalation.rank(level) >= 0 ? escalation.rank(level) : Integer.MAX_VALUE;
        boolean higher = d.level() != null && escalation.rank(d.level()) > current;
        boolean firstTeam = d.team() != null && (team == null
                || precedence(escalation, d.team()) < precedence(escalation, team));
        return new Raise(higher, firstTeam);
    }

    /** A specialist team's place in the policy's list: lower goes first. */
    public static int precedence(Policy.Escalation escalation, String team) {
        for (int i = 0; i < escalation.specialists().size(); i++) {
            if (escalation.specialists().get(i).name().equals(team)) {
                return i;
            }
        }
        return Integer.MAX_VALUE;
    }

    private static String describe(Policy.Trigger trigger, Facts facts, List<String> why) {
        String what = switch (trigger) {
            case CONTACT_RECEIVED -> "new " + facts.channel().wire() + " contact";
            case CONTACT_UPDATED -> "contact updated";
            case CUSTOMER_REPLIED -> "customer replied";
            case SLA_WARNING -> (facts.metric() == null ? "SLA" : facts.metric().wire()) + " at "
                    + facts.warningPercent() + " % of its target";
            case SLA_BREACHED -> (facts.metric() == null ? "SLA" : facts.metric().wire()) + " target breached";
            case COMPLAINT_DEADLINE_MISSED -> "complaint deadline missed";
        };
        String detail = String.join("; ", why);
        String text = detail.isEmpty() ? what : what + ": " + detail;
        return text.length() > 480 ? text.substring(0, 480) + "..." : text;
    }
}
