package dev.pledge.intake.repository;

import dev.pledge.intake.Contact;
import dev.pledge.intake.config.IntakeConfig;
import dev.pledge.persistence.BulkInsert;
import dev.pledge.persistence.RetainedTable;
import dev.pledge.persistence.Sql;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.persistence.LockModeType;
import java.time.Instant;
import java.util.List;

@ApplicationScoped
public class ContactRepository implements PanacheRepositoryBase<Contact, String> {

    /** The contact, locked for update so that its events are written in order. */
    public Uni<Contact> findForUpdate(String id) {
        return findById(id, LockModeType.PESSIMISTIC_WRITE);
    }

    /**
     * The id of the contact a caller stored under an idempotency key. The keys' index is a hash of
     * {@code caller_key(caller, key)} (migration V5, decision 022), so the look-up names that value: one
     * that compares caller and key column by column would scan the whole table.
     */
    public static final String ID_BY_IDEMPOTENCY_KEY =
            "SELECT id FROM contact WHERE caller_key(caller, idempotency_key) = caller_key($1, $2)";

    /** The contact this caller stored under the key, or null: its id through the keys' index, then the contact. */
    public Uni<Contact> findByIdempotencyKey(String caller, String key) {
        return Sql.rows(ID_BY_IDEMPOTENCY_KEY, caller, key)
                .flatMap(rows -> rows.isEmpty() ? Uni.createFrom().nullItem() : findById((String) rows.get(0)[0]));
    }

    public Uni<Contact> findByExternalId(String caller, String externalId) {
        return find("caller = ?1 and externalId = ?2", caller, externalId).firstResult();
    }

    /**
     * New contacts, with one statement however many: one unless the caller already used its idempotency
     * key or external id ({@code ON CONFLICT DO NOTHING}); returns the ids inserted. The request path
     * runs it per group on a connection of its own ({@code GroupCommit}), a contact of its own here.
     */
    public static final BulkInsert<Contact> INSERT = BulkInsert.<Contact>into("contact")
            .text("id", c -> c.id).text("external_id", c -> c.externalId).text("idempotency_key", c -> c.idempotencyKey)
            .text("caller", c -> c.caller).text("request_sha256", c -> c.requestSha256)
            .text("customer_id", c -> c.customerId).text("customer_name", c -> c.customerName)
            .text("customer_email", c -> c.customerEmail).text("customer_phone", c -> c.customerPhone)
            .text("tier", c -> c.tier).text("channel", c -> c.channel.wire()).text("subject", c -> c.subject)
            .text("body", c -> c.body).text("category", c -> c.category).text("priority", c -> c.priority.wire())
            .text("team", c -> c.team).text("assignee", c -> c.assignee).text("status", c -> c.status.wire())
            .text("repeat_of", c -> c.repeatOf).text("classified_by", c -> c.classifiedBy)
            .integer("policy_version", c -> c.policyVersion).time("occurred_at", c -> c.occurredAt)
            .time("received_at", c -> c.receivedAt).time("updated_at", c -> c.updatedAt)
            .then("ON CONFLICT DO NOTHING RETURNING id");

    /**
     * Inserts the contact unless the caller already used its idempotency key or external id; returns
     * whether it was inserted. A concurrent insert of the same key waits here until the first commits
     * (the key's exclusion constraint, the external id's unique index), then inserts nothing: the caller then
     * reads the first one.
     */
    public Uni<Boolean> insertIfNew(Contact c) {
        return INSERT.returning(List.of(c)).map(rows -> rows.size() == 1);
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
        return Sql.update("""
                INSERT INTO activity_key (caller, idempotency_key, contact_id, request_sha256, created_at)
                VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING""",
                caller, key, contactId, requestSha256, at).map(n -> n == 1);
    }

    /** The contact and request hash an activity key was first used for: {@code [contact_id, request_sha256]}. */
    public Uni<Object[]> activityKey(String caller, String key) {
        return Sql.rows("SELECT contact_id, request_sha256 FROM activity_key WHERE caller = $1 AND idempotency_key = $2",
                caller, key).map(rows -> rows.isEmpty() ? null : rows.get(0));
    }

    /** The latest contact of this customer on this category received since {@code since}. */
    public Uni<Contact> latestOf(String customerId, String category, Instant since) {
        return find("customerId = ?1 and category = ?2 and receivedAt >= ?3 order by receivedAt desc",
                customerId, category, since).firstResult();
    }
}
