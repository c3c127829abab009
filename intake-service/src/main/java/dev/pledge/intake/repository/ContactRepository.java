package dev.pledge.intake.repository;

import dev.pledge.events.Channel;
import dev.pledge.events.ContactStatus;
import dev.pledge.events.Priority;
import dev.pledge.intake.Contact;
import dev.pledge.intake.config.IntakeConfig;
import dev.pledge.persistence.BulkInsert;
import dev.pledge.persistence.RetainedTable;
import dev.pledge.persistence.Sql;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.persistence.LockModeType;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

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

    /**
     * Contacts locked for update, in the order of their ids (so that two groups that lock the same contacts
     * cannot deadlock), on a connection of the reactive client: {@code ActivityGroupCommit}. Read with {@link #of}.
     */
    public static final String LOCK_ALL = "SELECT * FROM contact WHERE id = ANY($1::text[]) ORDER BY id FOR UPDATE";

    /** A row of {@code contact} as the entity. */
    public static Contact of(Row r) {
        Contact c = new Contact();
        c.id = r.getString("id");
        c.externalId = r.getString("external_id");
        c.idempotencyKey = r.getString("idempotency_key");
        c.caller = r.getString("caller");
        c.requestSha256 = r.getString("request_sha256");
        c.customerId = r.getString("customer_id");
        c.customerName = r.getString("customer_name");
        c.customerEmail = r.getString("customer_email");
        c.customerPhone = r.getString("customer_phone");
        c.tier = r.getString("tier");
        c.channel = Channel.of(r.getString("channel"));
        c.subject = r.getString("subject");
        c.body = r.getString("body");
        c.category = r.getString("category");
        c.priority = Priority.of(r.getString("priority"));
        c.team = r.getString("team");
        c.assignee = r.getString("assignee");
        c.status = ContactStatus.of(r.getString("status"));
        c.repeatOf = r.getString("repeat_of");
        c.classifiedBy = r.getString("classified_by");
        c.policyVersion = r.getInteger("policy_version");
        c.occurredAt = Sql.instant(r.getValue("occurred_at"));
        c.receivedAt = Sql.instant(r.getValue("received_at"));
        c.updatedAt = Sql.instant(r.getValue("updated_at"));
        c.promises = r.getInteger("promises");
        c.statusAt = Sql.instant(r.getValue("status_at"));
        return c;
    }

    /** What activities change on contacts, many with one statement ({@link #updateAll}). */
    private static final String UPDATE_ALL = """
            UPDATE contact SET status = u.status, status_at = u.status_at, promises = u.promises, priority = u.priority,
                category = u.category, team = u.team, assignee = u.assignee, tier = u.tier,
                policy_version = u.policy_version, updated_at = u.updated_at
            FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::int[], $5::text[], $6::text[], $7::text[],
                $8::text[], $9::text[], $10::int[], $11::timestamptz[])
                AS u(id, status, status_at, promises, priority, category, team, assignee, tier, policy_version, updated_at)
            WHERE contact.id = u.id""";

    /** Writes what activities change (status, promises, assignment, classification, times) of these contacts. */
    public static Uni<Void> updateAll(SqlConnection conn, Collection<Contact> changed) {
        int n = changed.size();
        String[] ids = new String[n];
        String[] statuses = new String[n];
        OffsetDateTime[] statusAt = new OffsetDateTime[n];
        Integer[] promises = new Integer[n];
        String[] priorities = new String[n];
        String[] categories = new String[n];
        String[] teams = new String[n];
        String[] assignees = new String[n];
        String[] tiers = new String[n];
        Integer[] versions = new Integer[n];
        OffsetDateTime[] updatedAt = new OffsetDateTime[n];
        int i = 0;
        for (Contact c : changed) {
            ids[i] = c.id;
            statuses[i] = c.status.wire();
            statusAt[i] = Sql.utc(c.statusAt);
            promises[i] = c.promises;
            priorities[i] = c.priority.wire();
            categories[i] = c.category;
            teams[i] = c.team;
            assignees[i] = c.assignee;
            tiers[i] = c.tier;
            versions[i] = c.policyVersion;
            updatedAt[i] = Sql.utc(c.updatedAt);
            i++;
        }
        return conn.preparedQuery(UPDATE_ALL).execute(Tuple.from(new Object[] {ids, statuses, statusAt, promises,
                priorities, categories, teams, assignees, tiers, versions, updatedAt})).replaceWithVoid();
    }

    /**
     * Claims activities' idempotency keys, many with one statement, on a connection of the reactive client (as
     * {@link #claimActivityKey} does one in the current transaction); returns each claimed as (caller, key).
     */
    public static Uni<Set<Map.Entry<String, String>>> claimActivityKeys(SqlConnection conn, List<ActivityKey> keys) {
        return conn.preparedQuery(CLAIM_ACTIVITY_KEYS.sql()).execute(CLAIM_ACTIVITY_KEYS.tuple(keys)).map(rows -> {
            Set<Map.Entry<String, String>> claimed = new HashSet<>();
            for (Row r : rows) {
                claimed.add(Map.entry(r.getString(0), r.getString(1)));
            }
            return claimed;
        });
    }

    /** Gives back keys claimed in this transaction for activities that were then refused. */
    public static Uni<Void> releaseActivityKeys(SqlConnection conn, List<ActivityKey> keys) {
        return conn.preparedQuery("DELETE FROM activity_key k USING unnest($1::text[], $2::text[]) AS u(caller, key)"
                        + " WHERE k.caller = u.caller AND k.idempotency_key = u.key")
                .execute(Tuple.of(keys.stream().map(ActivityKey::caller).toArray(String[]::new),
                        keys.stream().map(ActivityKey::key).toArray(String[]::new)))
                .replaceWithVoid();
    }

    /** An activity's key as claimed: for this caller, contact and request. */
    public record ActivityKey(String caller, String key, String contactId, String requestSha256, Instant at) {
    }

    private static final BulkInsert<ActivityKey> CLAIM_ACTIVITY_KEYS = BulkInsert.<ActivityKey>into("activity_key")
            .text("caller", ActivityKey::caller).text("idempotency_key", ActivityKey::key)
            .text("contact_id", ActivityKey::contactId).text("request_sha256", ActivityKey::requestSha256)
            .time("created_at", ActivityKey::at).then("ON CONFLICT DO NOTHING RETURNING caller, idempotency_key");

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
