package dev.pledge.escalation.service;

import dev.pledge.escalation.Escalation;
import dev.pledge.escalation.EscalationContact;
import dev.pledge.events.EscalationEvent;
import dev.pledge.outbox.Outbox;
import dev.pledge.outcomes.EscalationRules;
import dev.pledge.outcomes.EscalationStanding;
import dev.pledge.policy.Policy;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

/**
 * The escalation ladder: raising by rules, climbing at acknowledgement deadlines, acknowledging,
 * re-escalating an acknowledged escalation that made no progress, resolving. Works on {@link Changes};
 * every change emits its event (with an id made of what it decided, so a replay emits the same id) and
 * records its decision.
 *
 * <p>An escalation holds a ladder level and/or a specialist team. A rule raises it further only to a
 * higher level or to a team listed before the current one; anything else changes nothing, so one
 * contact never has two escalations open. Unacknowledged at its deadline, it climbs one rung (a team
 * alone climbs to the top rung: someone with authority is told); at the top it is notified again up
 * to {@code topLevelRepeats} times.
 */
final class Ladder {

    private Ladder() {
    }

    /** Applies what the rules decided on an event ({@code eventId} null when a deadline decided it). */
    static void raise(Changes w, EscalationContact c, EscalationRules.Decision d, Policy policy, int policyVersion, Instant at,
            String eventId) {
        raise(w, c, d, policy, policyVersion, at, eventId, null);
    }

    /**
     * As {@link #raise(Changes, EscalationContact, EscalationRules.Decision, Policy, int, Instant, String)}, on the breach
     * of timer {@code breach} ({@code <metric>#<cycle>}; null for any other trigger): what it raises is
     * remembered as the breach's alone, to be withdrawn if the breach is corrected.
     */
    static void raise(Changes w, EscalationContact c, EscalationRules.Decision d, Policy policy, int policyVersion, Instant at,
            String eventId, String breach) {
        if (d.isEmpty()) {
            return;
        }
        Policy.Escalation ladder = policy.escalation();
        Escalation e = w.open.get(c.contactId);
        String reason = reason(d);
        if (e == null) {
            e = new Escalation();
            e.escalationId = Outbox.idOf(c.contactId, "escalation", eventId == null ? at : eventId).toString();
            e.contactId = c.contactId;
            e.stand(EscalationStanding.open(d, breach));
            e.state = Escalation.OPEN;
            e.reason = reason;
            e.raisedAt = micros(at);
            e.policyVersion = policyVersion;
            e.updatedAt = e.raisedAt;
            e.ackDeadline = deadline(ladder, policy, e.raisedAt, d.level(), d.team());
            e.nextFireAt = e.ackDeadline;
            w.create(e);
            w.touch(c);
            w.emit(new EscalationEvent.Raised(e.escalationId, c.contactId, e.level, e.team, e.rule, reason,
                    e.ackDeadline, e.raisedAt, policyVersion, eventId), e.escalationId, "raised");
            w.decided(e, e.raisedAt, "raised", e.rule, eventId, reason);
            return;
        }
        String from = e.level;
        EscalationStanding standing = e.standing();
        EscalationRules.Raise raise = standing.raise(ladder, d, breach);
        if (!raise.any()) {
            return; // already at or above what this event asks for: nothing is duplicated
        }
        boolean higher = raise.higher();
        boolean firstTeam = raise.firstTeam();
        e.stand(standing);
        Instant now = micros(at);
        e.state = Escalation.OPEN;
        e.reason = reason;
        e.policyVersion = policyVersion;
        e.climbs++;
        e.repeats = 0;
        e.updatedAt = now;
        e.ackDeadline = deadline(ladder, policy, now, higher ? d.level() : null, firstTeam ? d.team() : null);
        e.nextFireAt = e.ackDeadline;
        w.touch(c);
        w.emit(new EscalationEvent.LevelChanged(e.escalationId, c.contactId, from, e.level, reason, e.ackDeadline,
                now, policyVersion, e.team, e.rule, eventId), e.escalationId, "changed", e.climbs);
        w.decided(e, now, "level-changed", e.rule, eventId, reason);
    }

    /**
     * At an acknowledgement deadline (open) or a re-escalation time (acknowledged, no progress): one
     * rung up, or the top level notified again. Counts from the deadline that passed, so a service
     * that was down catches up rung by rung rather than starting the clock again.
     */
    static void fire(Changes w, EscalationContact c, Escalation e, Policy policy, Instant now) {
        Policy.Escalation ladder = policy.escalation();
        Instant passed = e.nextFireAt;
        List<Policy.EscalationLevel> rungs = ladder.ladder();
        int rank = e.level == null ? -1 : ladder.rank(e.level);
        boolean acknowledged = Escalation.ACKNOWLEDGED.equals(e.state);
        String why = acknowledged
                ? "acknowledged by " + e.acknowledgedBy + " but no agent reply or status change within "
                        + ladder.reEscalateAfter()
                : "not acknowledged by " + passed;
        String from = e.level;
        String kind;
        if (e.level == null || rank < rungs.size() - 1) {
            e.level = e.level == null ? rungs.get(rungs.size() - 1).name() : rungs.get(rank + 1).name();
            e.repeats = 0;
            kind = "level-changed";
        } else if (e.repeats < ladder.topLevelRepeats() || acknowledged) {
            e.repeats++;
            why = why + "; top level notified again (" + e.repeats + " of " + ladder.topLevelRepeats() + ")";
            kind = "repeated";
        } else {
            e.nextFireAt = null; // the top level was told every time the policy allows: nothing more to fire
            w.touch(c);
            return;
        }
        e.state = Escalation.OPEN;
        e.climbs++;
        e.rule = null;
        e.reason = clip(why);
        e.updatedAt = now;
        e.ackDeadline = deadline(ladder, policy, passed, e.level, null);
        e.nextFireAt = e.ackDeadline;
        w.touch(c);
        w.emit(new EscalationEvent.LevelChanged(e.escalationId, c.contactId, from, e.level, e.reason, e.ackDeadline, now,
                e.policyVersion, e.team, null, null), e.escalationId, "changed", e.climbs);
        w.decided(e, now, kind, null, null, e.reason);
    }

    /** Someone took it: the climb stops; without progress for {@code reEscalateAfter} it climbs again. */
    static boolean acknowledge(Changes w, EscalationContact c, Escalation e, Policy policy, String by, Instant now) {
        if (!e.isOpen()) {
            return false;
        }
        Instant at = micros(now);
        e.state = Escalation.ACKNOWLEDGED;
        e.acknowledgedAt = at;
        e.acknowledgedBy = by;
        e.ackDeadline = null;
        e.updatedAt = at;
        e.nextFireAt = reEscalation(policy, at);
        w.touch(c);
        w.emit(new EscalationEvent.Acknowledged(e.escalationId, c.contactId, e.levelOrTeam(), by, at, e.policyVersion),
                e.escalationId, "acknowledged", e.climbs);
        w.decided(e, at, "acknowledged", null, null, clip("acknowledged by " + by));
        return true;
    }

    /** An agent reply or a status change: an acknowledged escalation's re-escalation time starts again. */
    static void progress(Changes w, EscalationContact c, Policy policy, Instant at) {
        Escalation e = w.open.get(c.contactId);
        if (e != null && Escalation.ACKNOWLEDGED.equals(e.state)) {
            Instant next = reEscalation(policy, micros(at));
            if (next != null && (e.nextFireAt == null || next.isAfter(e.nextFireAt))) {
                e.nextFireAt = next;
                e.updatedAt = micros(at);
                w.touch(c);
            }
        }
    }

    /**
     * The breach of timer {@code breach} was corrected (a reply or resolution made before it, whose record
     * came after it): what that breach alone raised is withdrawn. An escalation it opened is resolved; one it
     * raised further goes back to where it stood, open, with a new acknowledgement deadline. Anything a
     * rule raised since is left as it is.
     */
    static void withdraw(Changes w, EscalationContact c, String breach, Policy policy, Instant at, String eventId) {
        Escalation e = w.open.get(c.contactId);
        if (e == null) {
            return;
        }
        String from = e.level;
        EscalationStanding standing = e.standing();
        EscalationStanding.Withdrawal withdrawal = standing.withdraw(breach);
        if (withdrawal == EscalationStanding.Withdrawal.NONE) {
            return;
        }
        // the reply was made before the breach, but the escalation is withdrawn now: never before it changed last
        Instant now = at.isAfter(e.updatedAt) ? micros(at) : e.updatedAt;
        if (withdrawal == EscalationStanding.Withdrawal.WHOLE) {
            resolve(w, c, now, eventId, EscalationEvent.BREACH_CORRECTED,
                    EscalationEvent.BREACH_CORRECTED + ": the breach of " + breach + " that raised it was corrected");
            return;
        }
        e.stand(standing);
        e.state = Escalation.OPEN;
        e.reason = EscalationEvent.BREACH_CORRECTED;
        e.climbs++;
        e.repeats = 0;
        e.updatedAt = now;
        e.ackDeadline = deadline(policy.escalation(), policy, now, e.level, e.team);
        e.nextFireAt = e.ackDeadline;
        w.touch(c);
        w.emit(new EscalationEvent.LevelChanged(e.escalationId, c.contactId, from, e.level, EscalationEvent.BREACH_CORRECTED,
                e.ackDeadline, now, e.policyVersion, e.team, null, eventId), e.escalationId, "changed", e.climbs);
        w.decided(e, now, "level-changed", null, eventId,
                clip(EscalationEvent.BREACH_CORRECTED + ": the breach of " + breach + " that raised it was corrected"));
    }

    /** The contact was resolved or closed: so is its escalation. */
    static void resolve(Changes w, EscalationContact c, Instant at, String eventId, String why) {
        resolve(w, c, at, eventId, "contact-" + c.status, why);
    }

    /** Resolves the contact's open escalation; {@code reason} is the event's code, {@code why} the decision's words. */
    private static void resolve(Changes w, EscalationContact c, Instant at, String eventId, String reason, String why) {
        Escalation e = w.open.remove(c.contactId);
        if (e == null) {
            return;
        }
        Instant now = micros(at);
        e.state = Escalation.RESOLVED;
        e.resolvedAt = now;
        e.nextFireAt = null;
        e.ackDeadline = null;
        e.updatedAt = now;
        w.touch(c);
        w.emit(new EscalationEvent.Resolved(e.escalationId, c.contactId, e.levelOrTeam(), now, e.policyVersion, reason),
                e.escalationId, "resolved");
        w.decided(e, now, "resolved", null, eventId, why);
    }

    private static Instant reEscalation(Policy policy, Instant from) {
        Duration after = policy.escalation().reEscalateAfter();
        return after == null ? null
                : micros(policy.calendar(policy.escalation().calendar()).add(from, after));
    }

    /**
     * The earliest acknowledgement deadline of what was just raised (a level, a team, or both). A name this
     * version does not know (an escalation taken back to where it stood under an older one) is skipped; with
     * none known, the top rung's window applies.
     */
    private static Instant deadline(Policy.Escalation ladder, Policy policy, Instant from, String level, String team) {
        Duration window = null;
        for (String name : new String[] {level, team}) {
            if (name != null && known(ladder, name)) {
                Duration d = ladder.level(name).acknowledgeWithin();
                window = window == null || d.compareTo(window) < 0 ? d : window;
            }
        }
        if (window == null) {
            window = ladder.ladder().get(ladder.ladder().size() - 1).acknowledgeWithin();
        }
        return micros(policy.calendar(ladder.calendar()).add(from, window));
    }

    /** Whether this version's ladder or specialist teams name {@code name}. */
    private static boolean known(Policy.Escalation ladder, String name) {
        return ladder.rank(name) >= 0 || EscalationRules.precedence(ladder, name) != Integer.MAX_VALUE;
    }

    private static String reason(EscalationRules.Decision d) {
        return clip(both(d));
    }

    static String clip(String text) {
        return text.length() <= 500 ? text : text.substring(0, 497) + "...";
    }

    private static String both(EscalationRules.Decision d) {
        if (d.levelRule() != null && d.teamRule() != null && d.levelRule() != d.teamRule()) {
            return d.teamRule().rule().name() + ": " + d.teamRule().reason() + "; " + d.levelRule().rule().name()
                    + ": " + d.levelRule().reason();
        }
        EscalationRules.Match m = d.teamRule() != null ? d.teamRule() : d.levelRule();
        return m.rule().name() + ": " + m.reason();
    }

    /** PostgreSQL keeps microseconds; times computed here must equal the ones read back. */
    static Instant micros(Instant at) {
        return at.truncatedTo(ChronoUnit.MICROS);
    }
}
