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
