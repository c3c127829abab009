package dev.pledge.escalation.repository;

import dev.pledge.escalation.Complaint;
import dev.pledge.escalation.Escalation;
import dev.pledge.escalation.EscalationContact;
import dev.pledge.escalation.EscalationDecision;
import dev.pledge.consumer.EventRecord;
import dev.pledge.escalation.service.Changes;
import dev.pledge.events.EventJson;
import dev.pledge.events.PledgeEvent;
import dev.pledge.outbox.SessionSql;
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
     * session flushes only when {@link Changes#write} says so: by default Hibernate checks every managed
     * row for changes before each later statement of the transaction (with the flush itself, about 7 %
     * of the service's CPU samples at 1,000 events/s), and none of those statements reads what the
     * rows hold.
     */
    public Uni<Changes> load(Collection<String> contactIds, boolean skipLocked) {
        return Panache.getSession().invoke(s -> s.setFlushMode(FlushMode.MANUAL)).chain(s -> s.createNativeQuery(
                        "SELECT * FROM esc_contact WHERE contact_id = ANY(" + JsonRows.ARRAY_OF_1 + ")"
                        + " ORDER BY contact_id FOR UPDATE" + (skipLocked ? " SKIP LOCKED" : ""), EscalationContact.class)
                .setParameter(1, ids(contactIds)).getResultList()
                .chain(contacts -> rest(s, contacts)));
    }

    /**
     * What is due for these contacts by the database's clock, locked (rows others hold skipped), and
     * that clock; the session flushes only at {@link Changes#write}, as after {@link #load}.
     */
    public Uni<Due> loadDue(Collection<String> contactIds) {
        return Panache.getSession().invoke(s -> s.setFlushMode(FlushMode.MANUAL))
                .chain(s -> s.createNativeQuery("SELECT clock_timestamp()", OffsetDateTime.class)
                .getSingleResult()
                .chain(now -> s.createNativeQuery("SELECT * FROM esc_contact WHERE contact_id = ANY(" + JsonRows.ARRAY_OF_1 + ")"
                                + " AND next_fire_at <= ?2 ORDER BY contact_id FOR UPDATE SKIP LOCKED", EscalationContact.class)
                        .setParameter(1, ids(contactIds)).setParameter(2, now).getResultList()
                        .chain(contacts -> rest(s, contacts))
                        .map(changes -> new Due(now.toInstant(), changes))));
    }

    public record Due(Instant now, Changes changes) {
    }

    private static Uni<Changes> rest(Mutiny.Session s, List<EscalationContact> contacts) {
        if (contacts.isEmpty()) {
            return Uni.createFrom().item(new Changes(List.of(), List.of(), List.of()));
        }
        String json = ids(contacts.stream().map(c -> c.contactId).toList());
        return s.createNativeQuery("SELECT * FROM escalation WHERE contact_id = ANY(" + JsonRows.ARRAY_OF_1 + ")"
                        + " AND state <> 'resolved'", Escalation.class)
                .setParameter(1, json).getResultList()
                .chain(open -> s.createNativeQuery("SELECT * FROM complaint WHERE contact_id = ANY(" + JsonRows.ARRAY_OF_1 + ")",
                                Complaint.class)
                        .setParameter(1, json).getResultList()
                        .map(complaints -> new Changes(contacts, open, complaints)));
    }

    /**
     * Inserts new rows (in the caller's transaction) with one statement for the four tables, one
     * JSON parameter each ({@link JsonRows}; an empty list inserts nothing): Hibernate's per-entity
     * inserts were the largest share of the consumer's CPU, and a statement per table a round trip
     * each (bench/README.md). The rows are not managed by the session; rows it loaded are flushed by
     * Hibernate as before.
     */
    public Uni<Void> insert(List<EscalationContact> contacts, List<Complaint> complaints, List<Escalation> escalations,
            List<EscalationDecision> decisions) {
        return JsonRows.execute(INSERT,
                JsonRows.objects(CONTACT_COLUMNS, contacts, c -> new Object[] {c.contactId, c.partition,
                    c.customerId, c.channel, c.priority, c.tier, c.category, c.team, c.status, c.customerReplies,
                    c.repeatOf, c.policyVersion, c.receivedAt, c.nextFireAt}),
                JsonRows.objects(COMPLAINT_COLUMNS, complaints, k -> new Object[] {k.contactId,
                    k.category, k.calendar, k.policyVersion, k.receivedAt, k.ackDeadline, k.finalDeadline,
                    k.acknowledgedAt, k.assessedAt, k.respondedAt, k.closedAt, k.ackMissed, k.finalMissed, k.nextFireAt,
                    k.cause, k.withdrawnAt}),
                JsonRows.objects(ESCALATION_COLUMNS, escalations, e -> new Object[] {
                    e.escalationId, e.contactId, e.level, e.team, e.state, e.rule, e.reason, e.raisedAt, e.ackDeadline,
                    e.acknowledgedAt, e.acknowledgedBy, e.climbs, e.repeats, e.nextFireAt, e.policyVersion, e.updatedAt,
                    e.resolvedAt, e.breach, e.beforeLevel, e.beforeTeam}),
                JsonRows.objects(DECISION_COLUMNS, decisions, d -> new Object[] {
                    d.decisionId, d.escalationId, d.contactId, d.at, d.kind, d.level, d.team, d.rule, d.eventId,
                    d.policyVersion, d.reason})).replaceWithVoid();
    }

    // in the order the rows above give their values
    private static final String[] CONTACT_COLUMNS = {"contact_id", "kafka_partition", "customer_id", "channel", "priority",
        "tier", "category", "team", "status", "customer_replies", "repeat_of", "policy_version", "received_at",
        "next_fire_at"};
    private static final String[] COMPLAINT_COLUMNS = {"contact_id", "category", "calendar", "policy_version",
        "received_at", "ack_deadline", "final_deadline", "acknowledged_at", "assessed_at", "responded_at", "closed_at",
        "ack_missed", "final_missed", "next_fire_at", "cause", "withdrawn_at"};
    private static final String[] ESCALATION_COLUMNS = {"escalation_id", "contact_id", "level", "team", "state", "rule",
        "reason", "raised_at", "ack_deadline", "acknowledged_at", "acknowledged_by", "climbs", "repeats", "next_fire_at",
        "policy_version", "updated_at", "resolved_at", "breach", "before_level", "before_team"};
    private static final String[] DECISION_COLUMNS = {"decision_id", "escalation_id", "contact_id", "at", "kind", "level",
        "team", "rule", "event_id", "policy_version", "reason"};
    /** One statement, four tables (no foreign keys between them; unique keys are checked as ever). */
    private static final String INSERT = "WITH contacts AS (" + JsonRows.insertSql("esc_contact", CONTACT_COLUMNS, 1)
            + "), complaints AS (" + JsonRows.insertSql("complaint", COMPLAINT_COLUMNS, 2)
            + "), escalations AS (" + JsonRows.insertSql("escalation", ESCALATION_COLUMNS, 3)
            + ") " + JsonRows.insertSql("escalation_decision", DECISION_COLUMNS, 4);
    private static final String[] EARLY_COLUMNS = {"event_id", "contact_id", "ce_type", "payload"};

    /** The contact an escalation belongs to, or null; read without loading the entity, so a later locked read is fresh. */
    public Uni<String> contactOf(String escalationId) {
        return Panache.getSession().chain(s -> s.createNativeQuery("SELECT contact_id FROM escalation WHERE escalation_id = ?1",
                String.class).setParameter(1, escalationId).getResultList())
                .map(ids -> ids.isEmpty() ? null : ids.get(0));
    }

    /** Contact ids as one parameter (JsonRows): the statement's text is the same for every batch. */
    private static String ids(Collection<String> contactIds) {
        return JsonRows.array(List.copyOf(contactIds));
    }

    /** An event kept aside until its contact arrives. */
    public record Early(String eventId, PledgeEvent event) {
    }

    /** Keeps SLA events whose contact has not arrived yet (in the caller's transaction). */
    public Uni<Void> storeEarly(List<EventRecord> events) {
        if (events.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        // stored_at from the database's clock; seq in list order
        String sql = "INSERT INTO esc_early_event (event_id, contact_id, ce_type, payload, stored_at)"
                + " SELECT event_id, contact_id, ce_type, payload, clock_timestamp() FROM json_populate_recordset("
                + "NULL::esc_early_event, " + JsonRows.json(1) + ") WITH ORDINALITY AS r ORDER BY r.ordinality ON CONFLICT DO NOTHING";
        return JsonRows.execute(sql, JsonRows.objects(EARLY_COLUMNS, events, e -> new Object[] {e.eventId(),
                e.event().key(), e.event().type().ceType(), EventJson.toJson(e.event())})).replaceWithVoid();
    }

    /** Removes and returns the events kept aside for these contacts, in the order they were stored. */
    public Uni<List<Early>> takeEarly(Collection<String> contactIds) {
        return SessionSql.query("WITH taken AS (DELETE FROM esc_early_event WHERE contact_id = ANY($1::text[])"
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
