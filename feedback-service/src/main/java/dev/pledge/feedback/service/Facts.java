package dev.pledge.feedback.service;

import dev.pledge.events.ContactEvent;
import dev.pledge.events.EscalationEvent;
import dev.pledge.events.PledgeEvent;
import dev.pledge.events.SlaEvent;
import dev.pledge.feedback.repository.History;
import dev.pledge.persistence.BulkInsert;
import dev.pledge.persistence.Sql;
import dev.pledge.policy.Policy;
import dev.pledge.policy.feed.PolicyFeed;
import dev.pledge.timers.TimerEngine;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Contact, SLA and escalation events as facts for KPIs, insights and the what-if replay, in the
 * consumer's transaction, in record order. Every statement is idempotent on its own (the consumer
 * also drops redelivered {@code ce_id}s), and times are the events' times. A status change also
 * schedules or cancels the contact's survey ({@link Surveys}).
 */
@ApplicationScoped
public class Facts {
    private final Surveys surveys;
    private final PolicyFeed policies;

    public Facts(Surveys surveys, PolicyFeed policies) {
        this.surveys = surveys;
        this.policies = policies;
    }

    /**
     * A consumed event: its {@code ce_id}, the event, its partition, and for the recorded history its
     * offset, when intake accepted it ({@code ce_time}) and the JSON as published.
     */
    public record Consumed(String eventId, PledgeEvent event, int partition, long offset, Instant arrivedAt,
            String json) {
    }

    /**
     * Applies the events; returns the survey timers whose due time moved. A run of consecutive
     * {@code contact.received} (or {@code sla.started}) events, the bulk of any busy poll, is inserted
     * with one statement, a column per array; nothing is reordered, so the facts are what one statement
     * per event in record order makes.
     */
    public Uni<List<TimerEngine.Due<String>>> apply(List<Consumed> events) {
        List<TimerEngine.Due<String>> moved = new ArrayList<>();
        Uni<Void> chain = Uni.createFrom().voidItem();
        int i = 0;
        while (i < events.size()) {
            PledgeEvent first = events.get(i).event();
            if (first instanceof ContactEvent.Received || first instanceof SlaEvent.Started) {
                int end = i + 1;
                while (end < events.size() && events.get(end).event().getClass() == first.getClass()) {
                    end++;
                }
                List<Consumed> run = events.subList(i, end);
                chain = chain.chain(() -> first instanceof ContactEvent.Received ? received(run) : started(run));
                i = end;
            } else {
                Consumed e = events.get(i);
                chain = chain.chain(() -> apply(e.event(), moved));
                i++;
            }
        }
        List<History.Arrived> history = events.stream().filter(e -> e.event() instanceof ContactEvent)
                .map(e -> new History.Arrived(((ContactEvent) e.event()).contactId(), e.offset(), e.arrivedAt(),
                        e.eventId(), e.event().type().ceType(), e.json())).toList();
        return chain.chain(() -> History.record(history)).map(ignored -> moved);
    }

    private static final BulkInsert<Consumed> CONTACTS = BulkInsert.<Consumed>into("fb_contact")
            .text("contact_id", e -> received(e).contactId())
            .text("customer_id", e -> received(e).customer() == null ? null : received(e).customer().id())
            .text("channel", e -> received(e).channel().wire()).text("priority", e -> received(e).priority().wire())
            .text("tier", e -> received(e).customer() == null ? null : received(e).customer().tier())
            .text("category", e -> received(e).category()).text("team", e -> received(e).team())
            .text("repeat_of", e -> received(e).repeatOf()).time("received_at", e -> received(e).occurredAt())
            .integer("kafka_partition", Consumed::partition).integer("policy_version", e -> received(e).policyVersion())
            .computed("status", "'open'").then("ON CONFLICT (contact_id) DO NOTHING");

    private static ContactEvent.Received received(Consumed e) {
        return (ContactEvent.Received) e.event();
    }

    private static Uni<Void> received(List<Consumed> run) {
        return CONTACTS.run(run).replaceWithVoid();
    }

    /**
     * A timer started, or moved to another rule or target (a retarget sends {@code sla.started} again with
     * the same cycle): the row of the timer takes the newest rule, target and deadline. A record from before
     * contract 1.2 (no cycle) is the metric's next cycle.
     */
    private static Uni<Void> started(List<Consumed> events) {
        // one row per timer in a statement: ON CONFLICT DO UPDATE may not touch a row twice
        Map<String, SlaEvent.Started> last = new LinkedHashMap<>();
        int unnumbered = 0;
        for (Consumed e : events) {
            SlaEvent.Started s = (SlaEvent.Started) e.event();
            String key = s.cycle() == null ? "#" + unnumbered++ : s.contactId() + "/" + s.metric().wire() + "/" + s.cycle();
            last.remove(key);
            last.put(key, s);
        }
        return TIMERS.run(List.copyOf(last.values())).replaceWithVoid();
    }

    private static final BulkInsert<SlaEvent.Started> TIMERS = BulkInsert.<SlaEvent.Started>into("fb_sla")
            .text("contact_id", SlaEvent.Started::contactId).text("metric", s -> s.metric().wire())
            .time("started_at", SlaEvent.Started::startedAt).text("rule", SlaEvent.Started::rule)
            .text("calendar", SlaEvent.Started::calendar).bigint("target_ms", s -> s.target().toMillis())
            .time("deadline", SlaEvent.Started::deadline).integer("cycle", SlaEvent.Started::cycle)
            .selecting("cycle", "coalesce(u.cycle, (SELECT coalesce(max(x.cycle), 0) + 1 FROM fb_sla x"
                    + " WHERE x.contact_id = u.contact_id AND x.metric = u.metric))")
            .then("ON CONFLICT (contact_id, metric, cycle) DO UPDATE SET rule = excluded.rule,"
                    + " calendar = excluded.calendar, target_ms = excluded.target_ms, deadline = excluded.deadline");


    private Uni<Void> apply(PledgeEvent event, List<TimerEngine.Due<String>> moved) {
        if (event instanceof ContactEvent c) {
            return contact(c, moved);
        }
        if (event instanceof SlaEvent s) {
            return sla(s);
        }
        if (event instanceof EscalationEvent e) {
            return escalation(e);
        }
        return Uni.createFrom().voidItem();
    }

    private Uni<Void> contact(ContactEvent event, List<TimerEngine.Due<String>> moved) {
        if (event instanceof ContactEvent.Updated u) {
            return Sql.update("""
                    UPDATE fb_contact SET priority = coalesce($2, priority), category = coalesce($3, category),
                        team = coalesce($4, team), tier = coalesce($5, tier) WHERE contact_id = $1""",
                    u.contactId(), u.priority() == null ? null : u.priority().wire(), u.category(), u.team(), u.tier())
                    .replaceWithVoid();
        }
        if (event instanceof ContactEvent.AgentReplied a) {
            return Sql.update("""
                    UPDATE fb_contact SET first_response_at = $2
                    WHERE contact_id = $1 AND (first_response_at IS NULL OR first_response_at > $2)""",
                    a.contactId(), a.occurredAt()).replaceWithVoid();
        }
        if (event instanceof ContactEvent.StatusChanged s) {
            return Sql.update("""
                    UPDATE fb_contact SET status = $2::text,
                        resolved_at = CASE WHEN $2::text = 'resolved' THEN $3::timestamptz
                            WHEN $2::text = 'reopened' THEN NULL ELSE resolved_at END,
                        closed_at = CASE WHEN $2::text = 'closed' THEN coalesce(closed_at, $3::timestamptz) ELSE closed_at END,
                        reopened = reopened + CASE WHEN $2::text = 'reopened' THEN 1 ELSE 0 END
                    WHERE contact_id = $1""", s.contactId(), s.to().wire(), s.occurredAt())
                    .chain(() -> surveys.onStatus(s, policy()))
                    .invoke(due -> due.ifPresent(moved::add)).replaceWithVoid();
        }
        return Uni.createFrom().voidItem();
    }

    /**
     * An SLA event applied to the row of the timer it names (metric and cycle; a record from before contract
     * 1.2 names no cycle and goes to the metric's latest). sla-service decides every outcome; this only
     * records it, corrections included: an {@code sla.met} that corrects a breach withdraws it.
     */
    private Uni<Void> sla(SlaEvent event) {
        String timer = " WHERE contact_id = $1 AND metric = $2 AND cycle = coalesce($3::int, (SELECT max(cycle)"
                + " FROM fb_sla WHERE contact_id = $1 AND metric = $2))";
        String id = event.contactId();
        String metric = event.metric().wire();
        Integer cycle = event.cycle();
        if (event instanceof SlaEvent.Warning) {
            return Sql.update("UPDATE fb_sla SET warned = true" + timer, id, metric, cycle).replaceWithVoid();
        }
        if (event instanceof SlaEvent.Breached b) {
            return Sql.update("UPDATE fb_sla SET breached_at = coalesce(breached_at, $4)" + timer,
                    id, metric, cycle, b.at()).replaceWithVoid();
        }
        if (event instanceof SlaEvent.Met m) {
            return Sql.update("""
                    UPDATE fb_sla SET ended_at = $4, elapsed_ms = $5, in_target = $6,
                        breached_at = CASE WHEN $7 THEN NULL ELSE breached_at END""" + timer,
                    id, metric, cycle, m.at(), m.elapsed() == null ? null : m.elapsed().toMillis(), m.inTarget(),
                    Boolean.TRUE.equals(m.correctsBreach())).replaceWithVoid();
        }
        if (event instanceof SlaEvent.Cancelled c) {
            return Sql.update("UPDATE fb_sla SET cancelled = true, ended_at = coalesce(ended_at, $4)" + timer
                    + " AND ended_at IS NULL", id, metric, cycle, c.at()).replaceWithVoid();
        }
        if (event instanceof SlaEvent.Paused p) {
            return Sql.update("""
                    INSERT INTO fb_pause (contact_id, metric, cycle, paused_at)
                    SELECT $1::text, $2::text, coalesce($3::int, (SELECT max(cycle) FROM fb_sla
                        WHERE contact_id = $1::text AND metric = $2::text), 1), $4
                    ON CONFLICT DO NOTHING""", id, metric, cycle, p.at()).replaceWithVoid();
        }
        if (event instanceof SlaEvent.Resumed r) {
            return Sql.update("""
                    UPDATE fb_pause SET resumed_at = $4 WHERE contact_id = $1 AND metric = $2 AND resumed_at IS NULL
                        AND paused_at <= $4 AND cycle = coalesce($3::int, cycle)""", id, metric, cycle, r.at())
                    .replaceWithVoid();
        }
        return Uni.createFrom().voidItem();
    }

    private Uni<Void> escalation(EscalationEvent event) {
        if (event instanceof EscalationEvent.Raised r) {
            return escalated(r.escalationId(), r.contactId(), r.level(), r.level() != null ? r.level() : r.team(),
                    r.at(), r.policyVersion());
        }
        if (event instanceof EscalationEvent.LevelChanged l) {
            return escalated(l.escalationId(), l.contactId(), l.toLevel(), l.toLevel() != null ? l.toLevel() : l.team(),
                    l.at(), l.policyVersion());
        }
        if (event instanceof EscalationEvent.Resolved r && EscalationEvent.BREACH_CORRECTED.equals(r.reason())) {
            // withdrawn: the breach that alone raised it was corrected, so the contact was not escalated by it
            return Sql.update("DELETE FROM fb_escalation WHERE contact_id = $1 AND escalation_id = $2",
                    r.contactId(), r.escalationId()).replaceWithVoid();
        }
        if (event instanceof EscalationEvent.Resolved r) {
            return Sql.update("UPDATE fb_escalation SET open = false WHERE contact_id = $1 AND escalation_id = $2",
                    r.contactId(), r.escalationId()).replaceWithVoid();
        }
        if (event instanceof EscalationEvent.CrisisDeclared d) {
            return Sql.update("""
                    INSERT INTO fb_crisis (crisis_id, category, count, baseline, declared_at) VALUES ($1, $2, $3, $4, $5)
                    ON CONFLICT DO NOTHING""", d.crisisId(), d.category(), d.count(), d.baseline(), d.at())
                    .replaceWithVoid();
        }
        if (event instanceof EscalationEvent.CrisisCleared c) {
            return Sql.update(
                    "UPDATE fb_crisis SET cleared_at = $2 WHERE crisis_id = $1", c.crisisId(), c.at()).replaceWithVoid();
        }
        return Uni.createFrom().voidItem();
    }

    /**
     * An escalation's level, kept as the highest the contact reached (rank: the level's place on the
     * policy's ladder; a specialist team alone has rank 0). A row the contact's own events have not made
     * yet is made here with what is known; the contact's received event fills the rest.
     */
    private Uni<Void> escalated(String escalationId, String contactId, String level, String standsAt,
            java.time.Instant at, int version) {
        return policies.await(version).chain(policy -> {
            int rank = 0;
            if (level != null && policy.escalation() != null) {
                var ladder = policy.escalation().ladder();
                for (int i = 0; i < ladder.size(); i++) {
                    if (ladder.get(i).name().equals(level)) {
                        rank = i + 1;
                    }
                }
            }
            return Sql.update("""
                    INSERT INTO fb_escalation (contact_id, first_at, level, rank, escalation_id, open, now_at)
                    VALUES ($1, $2, $3, $4, $5, true, $6)
                    ON CONFLICT (contact_id) DO UPDATE SET first_at = least(fb_escalation.first_at, excluded.first_at),
                        level = CASE WHEN excluded.rank > fb_escalation.rank THEN excluded.level ELSE fb_escalation.level END,
                        rank = greatest(fb_escalation.rank, excluded.rank),
                        escalation_id = excluded.escalation_id, open = true, now_at = excluded.now_at""",
                    contactId, at, level, rank, escalationId, standsAt);
        }).replaceWithVoid();
    }

    private Policy policy() {
        return policies.newestPolicy();
    }
}
