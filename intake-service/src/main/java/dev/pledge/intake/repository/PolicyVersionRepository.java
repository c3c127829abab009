package dev.pledge.intake.repository;

import dev.pledge.intake.PolicyVersion;
import dev.pledge.web.Paging;
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

    /** What the history lists of a version: no document, no source. */
    public record Summary(int version, java.time.Instant publishedAt, String publishedBy, String sha256) {
    }

    /** One page of the versions, newest first, without their documents (never read from the table). */
    public Uni<List<Summary>> history(Paging paging) {
        return findAll(Sort.descending("version")).project(Summary.class).page(paging.page(), paging.size()).list();
    }
}
