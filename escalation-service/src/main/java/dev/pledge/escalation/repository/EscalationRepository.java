package dev.pledge.escalation.repository;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pledge.escalation.Complaint;
import dev.pledge.escalation.Escalation;
import dev.pledge.escalation.EscalationContact;
import dev.pledge.escalation.EscalationDecision;
import dev.pledge.consumer.EventRecord;
import dev.pledge.escalation.service.Changes;
import dev.pledge.events.EventJson;
import dev.pledge.events.PledgeEvent;
import dev.pledge.web.Paging;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
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
     * These contacts locked, with their unresolved escalations and their complaints: one statement,
     * one JSON document back. The rows are plain objects, not managed by Hibernate: {@link Changes}
     * keeps their values as read, and {@link #update} writes those that changed, set-based. (Read as
     * entities, Hibernate spent milliseconds between the statements of a transaction hydrating and
     * dirty-checking a handful of rows: bench/README.md.)
     */
    public Uni<Changes> load(Collection<String> contactIds, boolean skipLocked) {
        return Panache.getSession().chain(s -> s.createNativeQuery(locked(skipLocked ? " FOR UPDATE SKIP LOCKED"
                        : " FOR UPDATE", ""), String.class)
                .setParameter(1, ids(contactIds)).getSingleResult())
                .map(json -> changes(tree(json)));
    }

    /**
     * What is due for these contacts by the database's clock, locked (rows others hold skipped), and
     * that clock; one statement, as {@link #load}.
     */
    public Uni<Due> loadDue(Collection<String> contactIds) {
        return Panache.getSession().chain(s -> s.createNativeQuery(locked(" FOR UPDATE SKIP LOCKED",
                        " AND next_fire_at <= (SELECT t FROM now)"), String.class)
                .setParameter(1, ids(contactIds)).getSingleResult())
                .map(json -> {
                    JsonNode doc = tree(json);
                    return new Due(instant(doc.get("now")), changes(doc));
                });
    }

    public record Due(Instant now, Changes changes) {
    }

    /** Locks the contacts in ?1 (ids, {@link JsonRows#array}) meeting {@code condition}; their rows as one document. */
    private static String locked(String lock, String condition) {
        return "WITH now AS (SELECT clock_timestamp() AS t),"
                + " c AS (SELECT * FROM esc_contact WHERE contact_id = ANY(" + JsonRows.ARRAY_OF_1 + ")" + condition
                + " ORDER BY contact_id" + lock + ")"
                + " SELECT json_build_object('now', (SELECT t FROM now),"
                + " 'contacts', coalesce((SELECT json_agg(c) FROM c), '[]'),"
                + " 'escalations', coalesce((SELECT json_agg(e) FROM escalation e WHERE e.contact_id IN (SELECT contact_id FROM c)"
                + " AND e.state <> 'resolved'), '[]'),"
                + " 'complaints', coalesce((SELECT json_agg(k) FROM complaint k WHERE k.contact_id IN (SELECT contact_id FROM c)),"
                + " '[]'))::text";
    }

    private static JsonNode tree(String json) {
        try {
            return EventJson.mapper().readTree(json);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static Changes changes(JsonNode doc) {
        List<EscalationContact> contacts = new ArrayList<>();
        doc.get("contacts").forEach(r -> contacts.add(contact(r)));
        List<Escalation> open = new ArrayList<>();
        doc.get("escalations").forEach(r -> open.add(escalation(r)));
        List<Complaint> complaints = new ArrayList<>();
        doc.get("complaints").forEach(r -> complaints.add(complaint(r)));
        return new Changes(contacts, open, complaints);
    }

    /**
     * Writes the loaded rows that changed (in the caller's transaction), one statement for the three
     * tables; before {@link #insert}, so an escalation resolved here frees its contact for a new one.
     */
    public Uni<Void> update(List<EscalationContact> contacts, List<Complaint> complaints, List<Escalation> escalations) {
        if (contacts.isEmpty() && complaints.isEmpty() && escalations.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return JsonRows.execute(UPDATE, List.of(JsonRows.objects(CONTACT_COLUMNS, contacts, EscalationRepository::values),
                JsonRows.objects(COMPLAINT_COLUMNS, complaints, EscalationRepository::values),
                JsonRows.objects(ESCALATION_COLUMNS, escalations, EscalationRepository::values))).replaceWithVoid();
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
        return JsonRows.execute(INSERT, List.of(JsonRows.objects(CONTACT_COLUMNS, contacts, EscalationRepository::values),
                JsonRows.objects(COMPLAINT_COLUMNS, complaints, EscalationRepository::values),
                JsonRows.objects(ESCALATION_COLUMNS, escalations, EscalationRepository::values),
                JsonRows.objects(DECISION_COLUMNS, decisions, d -> new Object[] {
                    d.decisionId, d.escalationId, d.contactId, d.at, d.kind, d.level, d.team, d.rule, d.eventId,
                    d.policyVersion, d.reason}))).replaceWithVoid();
    }

    /** A row's values in the order of its table's columns below; also what {@link Changes} compares to find a change. */
    public static Object[] values(EscalationContact c) {
        return new Object[] {c.contactId, c.partition, c.customerId, c.channel, c.priority, c.tier, c.category, c.team,
            c.status, c.customerReplies, c.repeatOf, c.policyVersion, c.receivedAt, c.nextFireAt};
    }

    public static Object[] values(Complaint k) {
        return new Object[] {k.contactId, k.category, k.calendar, k.policyVersion, k.receivedAt, k.ackDeadline,
            k.finalDeadline, k.acknowledgedAt, k.assessedAt, k.respondedAt, k.closedAt, k.ackMissed, k.finalMissed,
            k.nextFireAt};
    }

    public static Object[] values(Escalation e) {
        return new Object[] {e.escalationId, e.contactId, e.level, e.team, e.state, e.rule, e.reason, e.raisedAt,
            e.ackDeadline, e.acknowledgedAt, e.acknowledgedBy, e.climbs, e.repeats, e.nextFireAt, e.policyVersion,
            e.updatedAt, e.resolvedAt};
    }

    private static EscalationContact contact(JsonNode r) {
        EscalationContact c = new EscalationContact();
        c.contactId = text(r, "contact_id");
        c.partition = r.get("kafka_partition").asInt();
        c.customerId = text(r, "customer_id");
        c.channel = text(r, "channel");
        c.priority = text(r, "priority");
        c.tier = text(r, "tier");
        c.category = text(r, "category");
        c.team = text(r, "team");
        c.status = text(r, "status");
        c.customerReplies = r.get("customer_replies").asInt();
        c.repeatOf = text(r, "repeat_of");
        c.policyVersion = r.get("policy_version").asInt();
        c.receivedAt = instant(r.get("received_at"));
        c.nextFireAt = instant(r.get("next_fire_at"));
        return c;
    }

    private static Complaint complaint(JsonNode r) {
        Complaint k = new Complaint();
        k.contactId = text(r, "contact_id");
        k.category = text(r, "category");
        k.calendar = text(r, "calendar");
        k.policyVersion = r.get("policy_version").asInt();
        k.receivedAt = instant(r.get("received_at"));
        k.ackDeadline = instant(r.get("ack_deadline"));
        k.finalDeadline = instant(r.get("final_deadline"));
        k.acknowledgedAt = instant(r.get("acknowledged_at"));
        k.assessedAt = instant(r.get("assessed_at"));
        k.respondedAt = instant(r.get("responded_at"));
        k.closedAt = instant(r.get("closed_at"));
        k.ackMissed = r.get("ack_missed").asBoolean();
        k.finalMissed = r.get("final_missed").asBoolean();
        k.nextFireAt = instant(r.get("next_fire_at"));
        return k;
    }

    private static Escalation escalation(JsonNode r) {
        Escalation e = new Escalation();
        e.escalationId = text(r, "escalation_id");
        e.contactId = text(r, "contact_id");
        e.level = text(r, "level");
        e.team = text(r, "team");
        e.state = text(r, "state");
        e.rule = text(r, "rule");
        e.reason = text(r, "reason");
        e.raisedAt = instant(r.get("raised_at"));
        e.ackDeadline = instant(r.get("ack_deadline"));
        e.acknowledgedAt = instant(r.get("acknowledged_at"));
        e.acknowledgedBy = text(r, "acknowledged_by");
        e.climbs = r.get("climbs").asInt();
        e.repeats = r.get("repeats").asInt();
        e.nextFireAt = instant(r.get("next_fire_at"));
        e.policyVersion = r.get("policy_version").asInt();
        e.updatedAt = instant(r.get("updated_at"));
        e.resolvedAt = instant(r.get("resolved_at"));
        return e;
    }

    private static String text(JsonNode row, String column) {
        JsonNode v = row.get(column);
        return v == null || v.isNull() ? null : v.asText();
    }

    /** A timestamptz as PostgreSQL's JSON writes it (ISO-8601 with an offset), or null. */
    private static Instant instant(JsonNode v) {
        return v == null || v.isNull() ? null : OffsetDateTime.parse(v.asText()).toInstant();
    }

    // in the order the rows above give their values
    private static final String[] CONTACT_COLUMNS = {"contact_id", "kafka_partition", "customer_id", "channel", "priority",
        "tier", "category", "team", "status", "customer_replies", "repeat_of", "policy_version", "received_at",
        "next_fire_at"};
    private static final String[] COMPLAINT_COLUMNS = {"contact_id", "category", "calendar", "policy_version",
        "received_at", "ack_deadline", "final_deadline", "acknowledged_at", "assessed_at", "responded_at", "closed_at",
        "ack_missed", "final_missed", "next_fire_at"};
    private static final String[] ESCALATION_COLUMNS = {"escalation_id", "contact_id", "level", "team", "state", "rule",
        "reason", "raised_at", "ack_deadline", "acknowledged_at", "acknowledged_by", "climbs", "repeats", "next_fire_at",
        "policy_version", "updated_at", "resolved_at"};
    private static final String[] DECISION_COLUMNS = {"decision_id", "escalation_id", "contact_id", "at", "kind", "level",
        "team", "rule", "event_id", "policy_version", "reason"};
    /** One statement, three tables: each loaded row that changed, all its columns (rows by primary key). */
    private static final String UPDATE = "WITH contacts AS (" + JsonRows.updateSql("esc_contact", CONTACT_COLUMNS, 1)
            + "), complaints AS (" + JsonRows.updateSql("complaint", COMPLAINT_COLUMNS, 2)
            + ") " + JsonRows.updateSql("escalation", ESCALATION_COLUMNS, 3);
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
                + "NULL::esc_early_event, " + JsonRows.JSON_1 + ") WITH ORDINALITY AS r ORDER BY r.ordinality ON CONFLICT DO NOTHING";
        return JsonRows.execute(sql, JsonRows.objects(EARLY_COLUMNS, events, e -> new Object[] {e.eventId(),
                e.event().key(), e.event().type().ceType(), EventJson.toJson(e.event())})).replaceWithVoid();
    }

    /** Removes and returns the events kept aside for these contacts, in the order they were stored. */
    public Uni<List<Early>> takeEarly(Collection<String> contactIds) {
        return Panache.getSession().chain(s -> s.createNativeQuery("WITH taken AS (DELETE FROM esc_early_event"
                        + " WHERE contact_id = ANY(" + JsonRows.ARRAY_OF_1 + ") RETURNING seq, event_id, ce_type, payload)"
                        + " SELECT event_id, ce_type, payload FROM taken ORDER BY seq", Object[].class)
                .setParameter(1, ids(contactIds)).getResultList())
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
