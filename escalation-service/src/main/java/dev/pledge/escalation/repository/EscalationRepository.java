package dev.pledge.escalation.repository;

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

    /** These contacts locked, with their unresolved escalations and their complaints. */
    public Uni<Changes> load(Collection<String> contactIds, boolean skipLocked) {
        return Panache.getSession().chain(s -> s.createNativeQuery("SELECT * FROM esc_contact WHERE contact_id IN (:ids)"
                        + " ORDER BY contact_id FOR UPDATE" + (skipLocked ? " SKIP LOCKED" : ""), EscalationContact.class)
                .setParameter("ids", contactIds).getResultList()
                .chain(contacts -> rest(s, contacts)));
    }

    /** What is due for these contacts by the database's clock, locked (rows others hold skipped), and that clock. */
    public Uni<Due> loadDue(Collection<String> contactIds) {
        return Panache.getSession().chain(s -> s.createNativeQuery("SELECT clock_timestamp()", OffsetDateTime.class)
                .getSingleResult()
                .chain(now -> s.createNativeQuery("SELECT * FROM esc_contact WHERE contact_id IN (:ids)"
                                + " AND next_fire_at <= :now ORDER BY contact_id FOR UPDATE SKIP LOCKED", EscalationContact.class)
                        .setParameter("ids", contactIds).setParameter("now", now).getResultList()
                        .chain(contacts -> rest(s, contacts))
                        .map(changes -> new Due(now.toInstant(), changes))));
    }

    public record Due(Instant now, Changes changes) {
    }

    private static Uni<Changes> rest(Mutiny.Session s, List<EscalationContact> contacts) {
        if (contacts.isEmpty()) {
            return Uni.createFrom().item(new Changes(List.of(), List.of(), List.of()));
        }
        List<String> ids = contacts.stream().map(c -> c.contactId).toList();
        return s.createQuery("from Escalation where contactId in (:ids) and state <> 'resolved'", Escalation.class)
                .setParameter("ids", ids).getResultList()
                .chain(open -> s.createQuery("from Complaint where contactId in (:ids)", Complaint.class)
                        .setParameter("ids", ids).getResultList()
                        .map(complaints -> new Changes(contacts, open, complaints)));
    }

    /**
     * Inserts new rows (in the caller's transaction) with one multi-row statement per table, contacts
     * first: Hibernate's per-entity inserts were the largest share of the consumer's CPU (bench/README.md).
     * The rows are not managed by the session; rows it loaded are flushed by Hibernate as before.
     */
    public Uni<Void> insert(List<EscalationContact> contacts, List<Complaint> complaints, List<Escalation> escalations,
            List<EscalationDecision> decisions) {
        return insert("esc_contact", CONTACT_COLUMNS, contacts, c -> new Object[] {c.contactId, c.partition, c.customerId,
                    c.channel, c.priority, c.tier, c.category, c.team, c.status, c.customerReplies, c.repeatOf,
                    c.policyVersion, utc(c.receivedAt), utc(c.nextFireAt)})
                .chain(() -> insert("complaint", COMPLAINT_COLUMNS, complaints, k -> new Object[] {k.contactId, k.category,
                    k.calendar, k.policyVersion, utc(k.receivedAt), utc(k.ackDeadline), utc(k.finalDeadline),
                    utc(k.acknowledgedAt), utc(k.assessedAt), utc(k.respondedAt), utc(k.closedAt), k.ackMissed,
                    k.finalMissed, utc(k.nextFireAt)}))
                .chain(() -> insert("escalation", ESCALATION_COLUMNS, escalations, e -> new Object[] {e.escalationId,
                    e.contactId, e.level, e.team, e.state, e.rule, e.reason, utc(e.raisedAt), utc(e.ackDeadline),
                    utc(e.acknowledgedAt), e.acknowledgedBy, e.climbs, e.repeats, utc(e.nextFireAt), e.policyVersion,
                    utc(e.updatedAt), utc(e.resolvedAt)}))
                .chain(() -> insert("escalation_decision", DECISION_COLUMNS, decisions, d -> new Object[] {d.decisionId,
                    d.escalationId, d.contactId, utc(d.at), d.kind, d.level, d.team, d.rule, d.eventId, d.policyVersion,
                    d.reason}));
    }

    // column and SQL type, in the order the rows above give their values
    private static final String[][] CONTACT_COLUMNS = {{"contact_id", "varchar"}, {"kafka_partition", "int"},
        {"customer_id", "varchar"}, {"channel", "varchar"}, {"priority", "varchar"}, {"tier", "varchar"},
        {"category", "varchar"}, {"team", "varchar"}, {"status", "varchar"}, {"customer_replies", "int"},
        {"repeat_of", "varchar"}, {"policy_version", "int"}, {"received_at", "timestamptz"},
        {"next_fire_at", "timestamptz"}};
    private static final String[][] COMPLAINT_COLUMNS = {{"contact_id", "varchar"}, {"category", "varchar"},
        {"calendar", "varchar"}, {"policy_version", "int"}, {"received_at", "timestamptz"}, {"ack_deadline", "timestamptz"},
        {"final_deadline", "timestamptz"}, {"acknowledged_at", "timestamptz"}, {"assessed_at", "timestamptz"},
        {"responded_at", "timestamptz"}, {"closed_at", "timestamptz"}, {"ack_missed", "boolean"},
        {"final_missed", "boolean"}, {"next_fire_at", "timestamptz"}};
    private static final String[][] ESCALATION_COLUMNS = {{"escalation_id", "varchar"}, {"contact_id", "varchar"},
        {"level", "varchar"}, {"team", "varchar"}, {"state", "varchar"}, {"rule", "varchar"}, {"reason", "varchar"},
        {"raised_at", "timestamptz"}, {"ack_deadline", "timestamptz"}, {"acknowledged_at", "timestamptz"},
        {"acknowledged_by", "varchar"}, {"climbs", "int"}, {"repeats", "int"}, {"next_fire_at", "timestamptz"},
        {"policy_version", "int"}, {"updated_at", "timestamptz"}, {"resolved_at", "timestamptz"}};
    private static final String[][] DECISION_COLUMNS = {{"decision_id", "uuid"}, {"escalation_id", "varchar"},
        {"contact_id", "varchar"}, {"at", "timestamptz"}, {"kind", "varchar"}, {"level", "varchar"}, {"team", "varchar"},
        {"rule", "varchar"}, {"event_id", "varchar"}, {"policy_version", "int"}, {"reason", "varchar"}};

    /** PostgreSQL takes at most 65,535 parameters a statement: rows go in chunks well below that. */
    private static final int MAX_PARAMETERS = 30_000;

    private static <T> Uni<Void> insert(String table, String[][] columns, List<T> rows,
            java.util.function.Function<T, Object[]> values) {
        if (rows.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        int perStatement = MAX_PARAMETERS / columns.length;
        Uni<Void> chain = Uni.createFrom().voidItem();
        for (int from = 0; from < rows.size(); from += perStatement) {
            List<T> chunk = rows.subList(from, Math.min(rows.size(), from + perStatement));
            chain = chain.chain(() -> insertChunk(table, columns, chunk, values));
        }
        return chain;
    }

    private static <T> Uni<Void> insertChunk(String table, String[][] columns, List<T> rows,
            java.util.function.Function<T, Object[]> values) {
        StringBuilder sql = new StringBuilder("INSERT INTO ").append(table).append(" (");
        for (int c = 0; c < columns.length; c++) {
            sql.append(c == 0 ? "" : ", ").append(columns[c][0]);
        }
        sql.append(") VALUES ");
        int p = 0;
        for (int r = 0; r < rows.size(); r++) {
            sql.append(r == 0 ? "(" : ", (");
            for (int c = 0; c < columns.length; c++) {
                // typed, so a null binds without the server having to guess
                sql.append(c == 0 ? "" : ", ").append("CAST(?").append(++p).append(" AS ").append(columns[c][1]).append(')');
            }
            sql.append(')');
        }
        return Panache.getSession().chain(s -> {
            Mutiny.MutationQuery q = s.createNativeQuery(sql.toString());
            int i = 0;
            for (T row : rows) {
                for (Object v : values.apply(row)) {
                    q.setParameter(++i, v);
                }
            }
            return q.executeUpdate();
        }).replaceWithVoid();
    }

    private static OffsetDateTime utc(Instant at) {
        return at == null ? null : OffsetDateTime.ofInstant(at, java.time.ZoneOffset.UTC);
    }

    /** The contact an escalation belongs to, or null; read without loading the entity, so a later locked read is fresh. */
    public Uni<String> contactOf(String escalationId) {
        return Panache.getSession().chain(s -> s.createNativeQuery("SELECT contact_id FROM escalation WHERE escalation_id = ?1",
                String.class).setParameter(1, escalationId).getResultList())
                .map(ids -> ids.isEmpty() ? null : ids.get(0));
    }

    /** An event kept aside until its contact arrives. */
    public record Early(String eventId, PledgeEvent event) {
    }

    /** Keeps SLA events whose contact has not arrived yet (in the caller's transaction). */
    public Uni<Void> storeEarly(List<EventRecord> events) {
        if (events.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        StringBuilder sql = new StringBuilder("INSERT INTO esc_early_event (event_id, contact_id, ce_type, payload, stored_at) VALUES ");
        for (int i = 0; i < events.size(); i++) {
            int p = i * 4;
            sql.append(i == 0 ? "" : ", ").append("(?").append(p + 1).append(", ?").append(p + 2).append(", ?")
                    .append(p + 3).append(", ?").append(p + 4).append(", clock_timestamp())");
        }
        sql.append(" ON CONFLICT DO NOTHING");
        return Panache.getSession().chain(s -> {
            Mutiny.MutationQuery q = s.createNativeQuery(sql.toString());
            for (int i = 0; i < events.size(); i++) {
                EventRecord e = events.get(i);
                q.setParameter(i * 4 + 1, e.eventId());
                q.setParameter(i * 4 + 2, e.event().key());
                q.setParameter(i * 4 + 3, e.event().type().ceType());
                q.setParameter(i * 4 + 4, EventJson.toJson(e.event()));
            }
            return q.executeUpdate();
        }).replaceWithVoid();
    }

    /** Removes and returns the events kept aside for these contacts, in the order they were stored. */
    public Uni<List<Early>> takeEarly(Collection<String> contactIds) {
        return Panache.getSession().chain(s -> s.createNativeQuery("WITH taken AS (DELETE FROM esc_early_event"
                        + " WHERE contact_id IN (:ids) RETURNING seq, event_id, ce_type, payload)"
                        + " SELECT event_id, ce_type, payload FROM taken ORDER BY seq", Object[].class)
                .setParameter("ids", contactIds).getResultList())
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
