package dev.pledge.intake.repository;

import dev.pledge.intake.Contact;
import dev.pledge.intake.IntakeConfig;
import dev.pledge.outbox.RetainedTable;
import dev.pledge.outbox.SessionSql;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.persistence.LockModeType;
import java.time.Instant;
import java.time.ZoneOffset;

@ApplicationScoped
public class ContactRepository implements PanacheRepositoryBase<Contact, String> {

    /** The contact, locked for update so that its events are written in order. */
    public Uni<Contact> findForUpdate(String id) {
        return findById(id, LockModeType.PESSIMISTIC_WRITE);
    }

    public Uni<Contact> findByIdempotencyKey(String caller, String key) {
        return find("caller = ?1 and idempotencyKey = ?2", caller, key).firstResult();
    }

    public Uni<Contact> findByExternalId(String caller, String externalId) {
        return find("caller = ?1 and externalId = ?2", caller, externalId).firstResult();
    }

    /**
     * Inserts the contact unless the caller already used its idempotency key or external id; returns
     * whether it was inserted. A concurrent insert of the same key waits here until the first commits
     * (PostgreSQL's unique index), then inserts nothing: the caller then reads the first one.
     */
    public Uni<Boolean> insertIfNew(Contact c) {
        return getSession().flatMap(s -> s.createNativeQuery("""
                INSERT INTO contact (id, external_id, idempotency_key, caller, request_sha256, customer_id,
                    customer_name, customer_email, customer_phone, tier, channel, subject, body, category, priority,
                    team, assignee, status, repeat_of, classified_by, policy_version, occurred_at, received_at,
                    updated_at)
                VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20,
                    ?21, ?22, ?23, ?24)
                ON CONFLICT DO NOTHING""")
                .setParameter(1, c.id).setParameter(2, c.externalId).setParameter(3, c.idempotencyKey)
                .setParameter(4, c.caller).setParameter(5, c.requestSha256).setParameter(6, c.customerId)
                .setParameter(7, c.customerName).setParameter(8, c.customerEmail).setParameter(9, c.customerPhone)
                .setParameter(10, c.tier).setParameter(11, c.channel.wire()).setParameter(12, c.subject)
                .setParameter(13, c.body).setParameter(14, c.category).setParameter(15, c.priority.wire())
                .setParameter(16, c.team).setParameter(17, c.assignee).setParameter(18, c.status.wire())
                .setParameter(19, c.repeatOf).setParameter(20, c.classifiedBy).setParameter(21, c.policyVersion)
                .setParameter(22, c.occurredAt).setParameter(23, c.receivedAt).setParameter(24, c.updatedAt)
                .executeUpdate()).map(n -> n == 1);
    }

    /** Activity keys are remembered for {@code pledge.intake.activity-key-retention} (7 days), then pruned. */
    @Produces
    static RetainedTable activityKeys(IntakeConfig config) {
        return new RetainedTable("activity_key", "created_at", config.activityKeyRetention());
    }

    /**
     * Claims an activity's idempotency key for this caller, contact and request, in the caller's
     * transaction. False when the key is taken: by a committed request (this one waits for one in flight).
     */
    public Uni<Boolean> claimActivityKey(String caller, String key, String contactId, String requestSha256, Instant at) {
        return SessionSql.update("""
                INSERT INTO activity_key (caller, idempotency_key, contact_id, request_sha256, created_at)
                VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING""",
                caller, key, contactId, requestSha256, at.atOffset(ZoneOffset.UTC)).map(n -> n == 1);
    }

    /** The contact and request hash an activity key was first used for: {@code [contact_id, request_sha256]}. */
    public Uni<Object[]> activityKey(String caller, String key) {
        return SessionSql.query("SELECT contact_id, request_sha256 FROM activity_key WHERE caller = $1 AND idempotency_key = $2",
                caller, key).map(rows -> rows.isEmpty() ? null : rows.get(0));
    }

    /** The latest contact of this customer on this category received since {@code since}. */
    public Uni<Contact> latestOf(String customerId, String category, Instant since) {
        return find("customerId = ?1 and category = ?2 and receivedAt >= ?3 order by receivedAt desc",
                customerId, category, since).firstResult();
    }
}
