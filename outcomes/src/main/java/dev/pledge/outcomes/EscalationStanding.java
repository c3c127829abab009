package dev.pledge.outcomes;

import dev.pledge.events.SlaEvent;
import dev.pledge.policy.Policy;

/**
 * Where an open escalation stands (ladder level and/or specialist team, and the rule that took it there),
 * and what a rules decision or a corrected breach does to it. Pure: escalation-service keeps it in its
 * {@code Escalation} row ({@code Ladder}), the replay in memory.
 *
 * <p>A decision raises it only to a higher level or to a team listed before the current one
 * ({@link EscalationRules#raises}). Raised by a breach, the breach alone holds it there: when that breach is
 * corrected, an escalation it opened goes whole, one it raised further goes back to where it stood.
 */
public final class EscalationStanding {
    public String level;
    public String team;
    /** The rule that took it where it stands; null after it went back (a corrected breach). */
    public String rule;
    /** The breach ({@code <metric>#<cycle>}) that alone holds it where it stands, or null. */
    public String breach;
    /** Where it stood before that breach raised it; both null: the breach opened it. */
    public String beforeLevel;
    public String beforeTeam;

    /** What a corrected breach does: nothing, the escalation goes whole, or it goes back. */
    public enum Withdrawal {
        NONE, WHOLE, BACK
    }

    public EscalationStanding(String level, String team, String rule, String breach, String beforeLevel,
            String beforeTeam) {
        this.level = level;
        this.team = team;
        this.rule = rule;
        this.breach = breach;
        this.beforeLevel = beforeLevel;
        this.beforeTeam = beforeTeam;
    }

    /**
     * The timer an SLA event names, as an escalation remembers the breach that holds it:
     * {@code <metric>#<cycle>} ({@code ?} for a record from before cycles were numbered).
     */
    public static String breachOf(SlaEvent e) {
        return e.metric().wire() + "#" + (e.cycle() == null ? "?" : e.cycle());
    }

    /** An escalation a decision opens, on the breach of timer {@code breach} (null for any other trigger). */
    public static EscalationStanding open(EscalationRules.Decision d, String breach) {
        EscalationRules.Match cause = d.teamRule() != null ? d.teamRule() : d.levelRule();
        return new EscalationStanding(d.level(), d.team(), cause.rule().name(), breach, null, null);
    }

    /** Raises it as {@code d} says, if that is higher or a team listed first; returns what changed. */
    public EscalationRules.Raise raise(Policy.Escalation ladder, EscalationRules.Decision d, String breach) {
        EscalationRules.Raise raise = EscalationRules.raises(ladder, level, team, d);
        if (!raise.any()) {
            return raise;
        }
        // raised further by a breach: that breach alone holds it here; by anything else: no breach alone does
        beforeLevel = breach == null ? null : level;
        beforeTeam = breach == null ? null : team;
        this.breach = breach;
        if (raise.higher()) {
            level = d.level();
        }
        if (raise.firstTeam()) {
            team = d.team();
        }
        rule = (raise.firstTeam() ? d.teamRule() : d.levelRule()).rule().name();
        return raise;
    }

    /** The breach of {@code timer} was corrected: what it alone raised goes. */
    public Withdrawal withdraw(String timer) {
        if (!timer.equals(breach)) {
            return Withdrawal.NONE;
        }
        if (beforeLevel == null && beforeTeam == null) {
            return Withdrawal.WHOLE;
        }
        level = beforeLevel;
        team = beforeTeam;
        breach = null;
        beforeLevel = null;
        beforeTeam = null;
        rule = null;
        return Withdrawal.BACK;
    }

    /** Its ladder level, or its team when it has none. */
    public String levelOrTeam() {
        return level != null ? level : team;
    }
}
