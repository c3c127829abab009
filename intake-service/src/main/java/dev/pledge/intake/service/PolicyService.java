package dev.pledge.intake.service;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pledge.events.PolicyPublished;
import dev.pledge.intake.PolicyVersion;
import dev.pledge.intake.repository.PolicyVersionRepository;
import dev.pledge.outbox.Outbox;
import dev.pledge.outbox.UnitOfWork;
import dev.pledge.policy.Policy;
import dev.pledge.policy.PolicyLoader;
import dev.pledge.policy.feed.PolicyReceived;
import dev.pledge.web.Paging;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.jboss.logging.Logger;

/**
 * The policy in force, parsed once per version and held in memory: requests never parse it.
 * Versions are stored in PostgreSQL and announced through the outbox as {@code policy.published};
 * every intake instance learns the others' from the shared policy feed ({@link PolicyReceived}).
 */
@ApplicationScoped
public class PolicyService {
    private static final Logger LOG = Logger.getLogger(PolicyService.class);

    /** A version in force with its parsed policy. */
    public record Current(PolicyVersion row, Policy policy) {
        public int version() {
            return row.version;
        }
    }

    private final PolicyVersionRepository versions;
    private final Outbox outbox;
    private final UnitOfWork unitOfWork;
    private final AtomicReference<Current> current = new AtomicReference<>();

    public PolicyService(PolicyVersionRepository versions, Outbox outbox, UnitOfWork unitOfWork) {
        this.versions = versions;
        this.outbox = outbox;
        this.unitOfWork = unitOfWork;
    }

    /** At start: the latest stored version, or the default policy published as version 1. */
    void load(@Observes @Priority(10) StartupEvent event) throws Throwable {
        PolicyVersion latest = unitOfWork.await(() -> versions.latest()
                .flatMap(v -> v != null ? Uni.createFrom().item(v)
                        : store(PolicyLoader.defaultPolicyText(), "pledge (default policy)", 1)), this::apply);
        LOG.infof("policy version %d in force: %s", latest.version, current.get().policy().name());
    }

    public Current current() {
        return current.get();
    }

    /** One page of the versions, newest first, without their documents. */
    public Uni<List<PolicyVersionRepository.Summary>> history(Paging paging) {
        return Panache.withSession(() -> versions.history(paging));
    }

    /** A stored version, or null. */
    public Uni<PolicyVersion> version(int version) {
        return Panache.withSession(() -> versions.findById(version));
    }

    /**
     * Validates and stores a new version and its event in one transaction, and once committed makes it
     * the one in force here without waiting for the topic. An identical document to the one in force is
     * not a new version: the current one is returned.
     */
    public Uni<PolicyVersion> publish(String source, String publishedBy) {
        JsonNode document = PolicyLoader.parse(source);
        PolicyLoader.read(document); // throws InvalidPolicyException with every error
        return unitOfWork.run(() -> versions.latest().flatMap(latest -> {
            if (latest != null && latest.sha256.equals(sha256(PolicyLoader.toJson(document)))) {
                return Uni.createFrom().item(latest);
            }
            return store(source, publishedBy, latest == null ? 1 : latest.version + 1);
        }), this::apply);
    }

    /** From the policy feed: a newer version replaces the one in force; older or equal ones change nothing. */
    void received(@Observes PolicyReceived received) {
        apply(received.published());
    }

    void apply(PolicyPublished event) {
        Current now = current.get();
        if (now != null && event.version() <= now.version()) {
            return;
        }
        PolicyVersion row = new PolicyVersion();
        row.version = event.version();
        row.document = PolicyLoader.toJson(event.document());
        row.source = row.document;
        row.sha256 = event.sha256();
        row.publishedBy = event.publishedBy();
        row.publishedAt = event.at();
        apply(row);
        LOG.infof("policy version %d in force (from %s)", row.version, row.publishedBy);
    }

    private synchronized void apply(PolicyVersion row) {
        Current now = current.get();
        if (now == null || row.version > now.version()) {
            // Tolerant: during a rolling upgrade a newer instance may have stored fields this one does not know.
            current.set(new Current(row, PolicyLoader.readTolerant(PolicyLoader.parse(row.document), new ArrayList<>())));
        }
    }

    private Uni<PolicyVersion> store(String source, String publishedBy, int version) {
        JsonNode document = PolicyLoader.parse(source);
        PolicyVersion row = new PolicyVersion();
        row.version = version;
        row.source = source;
        row.document = PolicyLoader.toJson(document);
        row.sha256 = sha256(row.document);
        row.publishedBy = publishedBy;
        row.publishedAt = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MICROS);
        PolicyPublished event = new PolicyPublished(version, publishedBy, row.publishedAt, row.sha256, document);
        return versions.persist(row).call(() -> outbox.append(event, row.publishedAt));
    }

    static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
