package dev.pledge.intake.repository;

import dev.pledge.intake.Contact;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;
import java.time.Instant;

@ApplicationScoped
public class ContactRepository implements PanacheRepositoryBase<Contact, String> {

    /** The contact, locked for update so that its events are written in order. */
    public Uni<Contact> findForUpdate(String id) {
        return findById(id, LockModeType.PESSIMISTIC_WRITE);
    }

    public Uni<Contact> findByIdempotencyKey(String key) {
        return find("idempotencyKey", key).firstResult();
    }

    public Uni<Contact> findByExternalId(String externalId) {
        return find("externalId", externalId).firstResult();
    }

    /** The latest contact of this customer on this category received since {@code since}. */
    public Uni<Contact> latestOf(String customerId, String category, Instant since) {
        return find("customerId = ?1 and category = ?2 and receivedAt >= ?3 order by receivedAt desc",
                customerId, category, since).firstResult();
    }
}
