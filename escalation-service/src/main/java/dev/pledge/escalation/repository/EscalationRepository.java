package dev.pledge.escalation.repository;

import dev.pledge.escalation.Complaint;
import dev.pledge.escalation.Escalation;
import dev.pledge.escalation.EscalationContact;
import dev.pledge.escalation.EscalationDecision;
import dev.pledge.events.EventJson;
import dev.pledge.events.PledgeEvent;
import dev.pledge.persistence.BulkInsert;
import dev.pledge.persistence.Sql;
import dev.pledge.web.Paging;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.hibernate.FlushMode;
import org.hibernate.reactive.mutiny.Mutiny;

/**
 * Reads of escalation-service's tables. Every change to a contact's escalation or complaint first
 * locks the contact's row: the consumer waits for it, the timer thread skips a row another
 * transaction holds (and tries again), the REST acknowledgement waits. One lock, taken first, in one
 * statement: no lock-order deadlock.
 */
@ApplicationScoped
public class EscalationRepository {

    /**
     * These contacts locked, with their unresolved escalations and their complaints. From here on the
     * session flushes only when the caller says so: by default Hibernate checks every managed
     * row for changes before each later statement of the transaction (with the flush itself, about 7 %
     * of the service's CPU samples at 1,000 events/s), and none of those statements reads what the
     * rows hold.
     */
    public Uni<Loaded> load(Collection<String> contactIds, boolean skipLocked) {
        return Panache.getSession().invoke(s -> s.setFlushMode(FlushMode.MANUAL)).chain(s -> s.createNativeQuery(
                        "SELECT * FROM esc_contact WHERE contact_id = ANY(" + Sql.TEXTS_OF_1 + ")"
                        + " ORDER BY contact_id FOR UPDATE" + (skipLocked ? " SKIP LOCKED" : ""), EscalationContact.class)
                .setParameter(1, ids(contactIds)).getResultList()
                .chain(contacts -> rest(s, contacts)));
    }

    /**
     * What is due for these contacts by the database's clock, locked (rows others hold skipped), and
     * that clock; the session flushes only when the caller says so, as after {@link #load}.
     */
    public Uni<Due> loadDue(Collection<String> contactIds) {
        return Panache.getSession().invoke(s -> s.setFlushMode(FlushMode.MANUAL))
                .chain(s -> s.createNativeQuery("SELECT clock_timestamp()", OffsetDateTime.class)
                .getSingleResult()
                .chain(now -> s.createNativeQuery("SELECT * FROM esc_contact WHERE contact_id = ANY(" + Sql.TEXTS_OF_1 + ")"
                                + " AND next_fire_at <= ?2 ORDER BY contact_id FOR UPDATE SKIP LOCKED", EscalationContact.class)
                        .setParameter(1, ids(contactIds)).setParameter(2, now).getResultList()
                        .chain(contacts -> rest(s, contacts))
                        .map(loaded -> new Due(now.toInstant(), loaded))));
    }

    /** Locked contacts, their unresolved escalations and their complaints. */
    public record Loaded(List<EscalationContact> contacts, List<Escalation> unresolved, List<Complaint> complaints) {
    }

    public record Due(Instant now, Loaded loaded) {
    }

    private static Uni<Loaded> rest(Mutiny.Session s, List<EscalationContact> contacts) {
        if (contacts.isEmpty()) {
            return Uni.createFrom().item(new Loaded(List.of(), List.of(), List.of()));
        }
        String json = ids(contacts.stream().map(c -> c.contactId).toList());
        return s.createNativeQuery("SELECT * FROM escalation WHERE contact_id = ANY(" + Sql.TEXTS_OF_1 + ")"
                        + " AND state <> 'resolved'", Escalation.class)
                .setParameter(1, json).getResultList()
                .chain(open -> s.createNativeQuery("SELECT * FROM complaint WHERE contact_id = ANY(" + Sql.TEXTS_OF_1 + ")",
                                Complaint.class)
                        .setParameter(1, json).getResultList()
                        .map(complaints -> new Loaded(contacts, open, complaints)));
    }

    /**
     * Inserts new rows (in the caller's transaction) with one statement for the four tables, an array
     * per column ({@link BulkInsert#together}; an empty list inserts nothing): Hibernate's per-entity
     * inserts were the largest share of the consumer's CPU, and a statement per table a round trip
     * each (bench/README.md). The rows are not managed by the session; rows it loaded are flushed by
     * Hibernate as before.
     */
    public Uni<Void> insert(List<EscalationContact> contacts, List<Complaint> complaints, List<Escalation> escalations,
            List<EscalationDecision> decisions) {
        return BulkInsert.together(List.of(CONTACTS.of(contacts), COMPLAINTS.of(complaints),
                ESCALATIONS.of(escalations), DECISIONS.of(decisions)));
    }

    private static final BulkInsert<EscalationContact> CONTACTS = BulkInsert.<EscalationContact>into("esc_contact")
            .text("contact_id", c -> c.contactId).integer("kafka_partition", c -> c.partition)
            .text("customer_id", c -> c.customerId).text("channel", c -> c.channel).text("priority", c -> c.priority)
            .text("tier", c -> c.tier).text("category", c -> c.category).text("team", c -> c.team)
            .text("status", c -> c.status).integer("customer_replies", c -> c.customerReplies)
            .text("repeat_of", c -> c.repeatOf).integer("policy_version", c -> c.policyVersion)
            .time("received_at", c -> c.receivedAt).time("next_fire_at", c -> c.nextFireAt);
    private static final BulkInsert<Complaint> COMPLAINTS = BulkInsert.<Complaint>into("complaint")
            .text("contact_id", k -> k.contactId).text("category", k -> k.category).text("calendar", k -> k.calendar)
            .integer("policy_version", k -> k.policyVersion).time("received_at", k -> k.receivedAt)
            .time("ack_deadline", k -> k.ackDeadline).time("final_deadline", k -> k.finalDeadline)
            .time("acknowledged_at", k -> k.acknowledgedAt).time("assessed_at", k -> k.assessedAt)
            .time("responded_at", k -> k.respondedAt).time("closed_at", k -> k.closedAt)
            .bool("ack_missed", k -> k.ackMissed).bool("final_missed", k -> k.finalMissed)
            .time("next_fire_at", k -> k.nextFireAt).text("cause", k -> k.cause).time("withdrawn_at", k -> k.withdrawnAt);
    private static final BulkInsert<Escalation> ESCALATIONS = BulkInsert.<Escalation>into("escalation")
            .text("escalation_id", e -> e.escalationId).text("contact_id", e -> e.contactId).text("level", e -> e.level)
            .text("team", e -> e.team).text("state", e -> e.state).text("rule", e -> e.rule).text("reason", e -> e.reason)
            .time("raised_at", e -> e.raisedAt).time("ack_deadline", e -> e.ackDeadline)
            .time("acknowledged_at", e -> e.acknowledgedAt).text("acknowledged_by", e -> e.acknowledgedBy)
            .integer("climbs", e -> e.climbs).integer("repeats", e -> e.repeats).time("next_fire_at", e -> e.nextFireAt)
            .integer("policy_version", e -> e.policyVersion).time("updated_at", e -> e.updatedAt)
            .time("resolved_at", e -> e.resolvedAt).text("breach", e -> e.breach).text("before_level", e -> e.beforeLevel)
            .text("before_team", e -> e.beforeTeam);
    private static final BulkInsert<EscalationDecision> DECISIONS = BulkInsert.<EscalationDecision>into("escalation_decision")
            .uuid("decision_id", d -> d.decisionId).text("escalation_id", d -> d.escalationId)
            .text("contact_id", d -> d.contactId).time("at", d -> d.at).text("kind", d -> d.kind).text("level", d -> d.level)
            .text("team", d -> d.team).text("rule", d -> d.rule).text("event_id", d -> d.eventId)
            .integer("policy_version", d -> d.policyVersion).text("reason", d -> d.reason);
    /** Kept in list order ({@code seq}), stored by the database's clock. */
    private static final BulkInsert<Early> EARLY = BulkInsert.<Early>into("esc_early_event")
            .text("event_id", Early::eventId).text("contact_id", e -> e.event().key())
            .text("ce_type", e -> e.event().type().ceType()).text("payload", e -> EventJson.toJson(e.event()))
            .computed("stored_at", "clock_timestamp()").inOrder().then("ON CONFLICT DO NOTHING");

    /** The contact an escalation belongs to, or null; read without loading the entity, so a later locked read is fresh. */
    public Uni<String> contactOf(String escalationId) {
        return Panache.getSession().chain(s -> s.createNativeQuery("SELECT contact_id FROM escalation WHERE escalation_id = ?1",
                String.class).setParameter(1, escalationId).getResultList())
                .map(ids -> ids.isEmpty() ? null : ids.get(0));
    }

    /** Contact ids as one parameter: the statement's text is the same for every batch. */
    private static String ids(Collection<String> contactIds) {
        return Sql.texts(contactIds);
    }

    /** An event kept aside until its contact arrives. */
    public record Early(String eventId, PledgeEvent event) {
    }

    /** Keeps SLA events whose contact has not arrived yet (in the caller's transaction). */
    public Uni<Void> storeEarly(List<Early> events) {
        return EARLY.run(events).replaceWithVoid();
    }

    /** Removes and returns the events kept aside for these contacts, in the order they were stored. */
    public Uni<List<Early>> takeEarly(Collection<String> contactIds) {
        return Sql.rows("WITH taken AS (DELETE FROM esc_early_event WHERE contact_id = ANY($1::text[])"
                        + " RETURNING seq, event_id, ce_type, payload) SELECT event_id, ce_type, payload FROM taken ORDER BY seq",
                        (Object) contactIds.toArray(new String[0]))
                .map(rows -> rows.stream()
                        .map(r -> new Early((String) r[0], EventJson.fromJson((String) r[1],
                                ((String) r[2]).getBytes(java.nio.charset.StandardCharsets.UTF_8))))
                        .toList());
    }

    public Uni<Escalation> escalation(String escalationId) {
        return Panache.getSession().chain(s -> s.find(Escalation.class, escalationId));
    }

    public Uni<List<Escalation>> ofContact(String contactId) {
        return Panache.getSession().chain(s -> s.createQuery("from Escalation where contactId = :id order by raisedAt",
                Escalation.class).setParameter("id", contactId).getResultList());
    }

    public Uni<List<EscalationDecision>> decisionsOfContact(String contactId) {
        return Panache.getSession().chain(s -> s.createQuery("from EscalationDecision where contactId = :id"
                + " order by at, kind", EscalationDecision.class).setParameter("id", contactId).getResultList());
    }

    public Uni<Complaint> complaint(String contactId) {
        return Panache.getSession().chain(s -> s.find(Complaint.class, contactId));
    }

    /** Escalations by state, level and team (null: any), newest first. */
    public Uni<List<Escalation>> list(String state, String level, String team, Paging paging) {
        StringBuilder hql = new StringBuilder("from Escalation where 1 = 1");
        List<Object[]> params = new ArrayList<>();
        if (state != null) {
            hql.append(" and state = :state");
            params.add(new Object[] {"state", state});
        }
        if (level != null) {
            hql.append(" and level = :level");
            params.add(new Object[] {"level", level});
        }
        if (team != null) {
            hql.append(" and team = :team");
            params.add(new Object[] {"team", team});
        }
        hql.append(" order by raisedAt desc, escalationId");
        return Panache.getSession().chain(s -> {
            Mutiny.SelectionQuery<Escalation> q = s.createQuery(hql.toString(), Escalation.class);
            params.forEach(p -> q.setParameter((String) p[0], p[1]));
            return q.setFirstResult(paging.page() * paging.size()).setMaxResults(paging.size()).getResultList();
        });
    }
}
