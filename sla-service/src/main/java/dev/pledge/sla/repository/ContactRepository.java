package dev.pledge.sla.repository;

import dev.pledge.sla.SlaContact;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import jakarta.enterprise.context.ApplicationScoped;

@ApplicationScoped
public class ContactRepository implements PanacheRepositoryBase<SlaContact, String> {
}
