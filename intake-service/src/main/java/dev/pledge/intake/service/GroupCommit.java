package dev.pledge.intake.service;

import dev.pledge.events.ContactEvent;
import dev.pledge.intake.Contact;
import dev.pledge.intake.config.IntakeConfig;
import dev.pledge.intake.repository.ContactRepository;
import dev.pledge.intake.service.ContactService.Prepared;
import dev.pledge.intake.service.Groups.Waiting;
import dev.pledge.outbox.Outbox;
import dev.pledge.outbox.OutboxRelay;
import dev.pledge.persistence.Sql;
import dev.pledge.web.Failures;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * Group commit for new contacts. Requests are checked one by one ({@link ContactService#prepare});
 * those that arrive while a transaction is being written queue for the next, and each group is
 * written with one statement per table (repeat lookup, contacts, outbox) and one commit, on the
 * reactive client directly. Every request is answered after the commit that holds it, so a 202 still
 * means committed. Under light load a group is one contact: nothing waits for company.
 *
 * <p>The exceptions take the one-contact path ({@link ContactService#receiveAlone}), which answers
 * them exactly as before: a retry (same idempotency key or external id as an earlier request, in the
 * database or in the same group) gets the first answer or 422; if the group's transaction fails for a
 * reason of one request (a value the database refuses), each request of the group is written alone so
 * that only that one fails (in a database outage each then fails as it always did: 503).
 */
@ApplicationScoped
public class GroupCommit {
    private static final Logger LOG = Logger.getLogger(GroupCommit.class);

    private final Pool pool;
    private final ContactService contacts;
    private final OutboxRelay relay;
    private final IntakeConfig.GroupCommit config;
    private final Groups<Prepared, Contact> groups;

    public GroupCommit(Pool pool, ContactService contacts, OutboxRelay relay, IntakeConfig config, MeterRegistry metrics) {
        this.pool = pool;
        this.relay = relay;
        this.contacts = contacts;
        this.config = config.groupCommit();
        this.groups = new Groups<>(this.config.writers(), this.config.maxSize(),
                DistributionSummary.builder("pledge.intake.group.size")
                        .description("new contacts written per transaction").register(metrics), this::write);
    }

    /** Writes the contact with whatever else is waiting; the item comes after the commit. */
    public Uni<Contact> receive(Prepared prepared) {
        if (!config.enabled()) {
            return contacts.receiveAlone(prepared);
        }
        return groups.submit(prepared);
    }

    /** One group: one transaction, then each request answered (the exceptions by the one-contact path). */
    private Uni<Void> write(List<Waiting<Prepared, Contact>> group) {
        Plan plan = new Plan(group);
        return pool.withTransaction(conn -> plan.write(conn))
                .invoke(inserted -> {
                    relay.wake(); // once per group: its contact.received rows go out now
                    for (Waiting<Prepared, Contact> p : plan.writing) {
                        if (inserted.contains(contact(p).id)) {
                            p.complete(contact(p));
                        } else {
                            alone(p);
                        }
                    }
                    plan.later.forEach(this::alone);
                })
                .onFailure().invoke(e -> {
                    // Each alone: only a request at fault fails; in an outage each fails as it would have (503).
                    if (group.size() > 1 && !(e instanceof Replan)) {
                        LOG.infof("a group of %d contacts failed (%s); writing them one by one", group.size(),
                                Failures.rootMessage(e));
                    }
                    group.forEach(this::alone);
                })
                .replaceWithVoid()
                .onFailure().recoverWithItem((Void) null);
    }

    /** Through the one-contact path, on the request's own context. */
    private void alone(Waiting<Prepared, Contact> p) {
        p.alone(contacts::receiveAlone);
    }

    /** The contact a request of a group brings. */
    private static Contact contact(Waiting<Prepared, Contact> p) {
        return p.request.contact();
    }

    /** A group in which a retry's first answer would have been named as an earlier contact: written alone. */
    private static final class Replan extends RuntimeException {
        Replan() {
            super("a contact of the group refers to one that was not written", null, false, false);
        }
    }

    /**
     * What one group writes: contacts whose idempotency key or external id repeats one earlier in the
     * group wait for the commit ({@code later}); the others ({@code writing}) are inserted together.
     */
    private static final class Plan {
        final List<Waiting<Prepared, Contact>> writing = new ArrayList<>();
        final List<Waiting<Prepared, Contact>> later = new ArrayList<>();
        /** The ids of {@code writing}: a repeat checks its link here, not by a scan of the group for each contact. */
        private final Set<String> ids = new HashSet<>();

        Plan(List<Waiting<Prepared, Contact>> group) {
            Set<String> seen = new HashSet<>();
            for (Waiting<Prepared, Contact> p : group) {
                Contact c = contact(p);
                String key = c.idempotencyKey == null ? null : c.caller + "\u0000k\u0000" + c.idempotencyKey;
                String ext = c.externalId == null ? null : c.caller + "\u0000e\u0000" + c.externalId;
                if ((key != null && seen.contains(key)) || (ext != null && seen.contains(ext))) {
                    later.add(p);
                } else {
                    writing.add(p);
                    ids.add(c.id);
                    if (key != null) {
                        seen.add(key);
                    }
                    if (ext != null) {
                        seen.add(ext);
                    }
                }
            }
        }

        /** Returns the ids of the contacts inserted (the others were already stored: retries). */
        Uni<Set<String>> write(SqlConnection conn) {
            if (writing.isEmpty()) {
                return Uni.createFrom().item(Set.of());
            }
            return earlier(conn).flatMap(latest -> {
                Map<String, Contact> inGroup = new HashMap<>();
                for (Waiting<Prepared, Contact> p : writing) {
                    Contact c = contact(p);
                    String key = c.customerId + "\u0000" + c.category;
                    Contact before = inGroup.get(key);
                    if (before != null) {
                        c.repeatOf = before.id;
                    } else {
                        Row row = latest.get(key);
                        c.repeatOf = row != null && !row.getOffsetDateTime("received_at").toInstant()
                                .isBefore(p.request.repeatSince()) ? row.getString("id") : null;
                    }
                    inGroup.put(key, c);
                }
                return insertContacts(conn);
            }).flatMap(inserted -> {
                List<ContactEvent.Received> events = new ArrayList<>();
                for (Waiting<Prepared, Contact> p : writing) {
                    Contact c = contact(p);
                    if (inserted.contains(c.id)) {
                        if (c.repeatOf != null && !inserted.contains(c.repeatOf) && isInGroup(c.repeatOf)) {
                            return Uni.createFrom().failure(new Replan());
                        }
                        events.add(ContactService.received(c));
                    }
                }
                return Outbox.appendAll(conn, events, contact(writing.get(0)).receivedAt).replaceWith(inserted);
            });
        }

        private boolean isInGroup(String id) {
            return ids.contains(id);
        }

        /**
         * Per customer and category of the group, the latest contact since the earliest repeat window:
         * one descent of {@code contact_customer_category} per pair, however many contacts a customer has.
         */
        private Uni<Map<String, Row>> earlier(SqlConnection conn) {
            Set<String> keys = new HashSet<>();
            List<String> customers = new ArrayList<>();
            List<String> categories = new ArrayList<>();
            Instant since = null;
            for (Waiting<Prepared, Contact> p : writing) {
                Contact c = contact(p);
                if (keys.add(c.customerId + "\u0000" + c.category)) {
                    customers.add(c.customerId);
                    categories.add(c.category);
                }
                since = since == null || p.request.repeatSince().isBefore(since) ? p.request.repeatSince() : since;
            }
            return conn.preparedQuery(LATEST)
                    .execute(Tuple.of(customers.toArray(new String[0]), categories.toArray(new String[0]),
                            Sql.utc(since)))
                    .map(rows -> {
                        Map<String, Row> latest = new HashMap<>();
                        for (Row r : rows) {
                            latest.put(r.getString("customer_id") + "\u0000" + r.getString("category"), r);
                        }
                        return latest;
                    });
        }

        private Uni<Set<String>> insertContacts(SqlConnection conn) {
            List<Contact> contacts = writing.stream().map(GroupCommit::contact).toList();
            return conn.preparedQuery(ContactRepository.INSERT.sql()).execute(ContactRepository.INSERT.tuple(contacts))
                    .map(rows -> {
                        Set<String> ids = new HashSet<>();
                        for (Row r : rows) {
                            ids.add(r.getString(0));
                        }
                        return ids;
                    });
        }
    }

    // Not DISTINCT ON over the customers' contacts: that reads every contact of the window, and the
    // intake bench, whose 100,000 customers gather contacts as it runs, slowed down as they did.
    private static final String LATEST = """
            SELECT k.customer_id, k.category, l.id, l.received_at
            FROM unnest($1::text[], $2::text[]) AS k(customer_id, category)
            CROSS JOIN LATERAL (SELECT id, received_at FROM contact
                WHERE contact.customer_id = k.customer_id AND contact.category = k.category AND received_at >= $3
                ORDER BY received_at DESC LIMIT 1) l""";
}
