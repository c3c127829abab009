package dev.pledge.intake.repository;

import dev.pledge.intake.PolicyVersion;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;

@ApplicationScoped
public class PolicyVersionRepository implements PanacheRepositoryBase<PolicyVersion, Integer> {

    public Uni<PolicyVersion> latest() {
        return findAll(Sort.descending("version")).firstResult();
    }

    /** Versions newest first, without their documents. */
    public Uni<List<PolicyVersion>> history() {
        return findAll(Sort.descending("version")).list();
    }
}
