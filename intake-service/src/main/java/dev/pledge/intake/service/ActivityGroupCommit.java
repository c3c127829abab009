package dev.pledge.intake.service;

import dev.pledge.events.ContactEvent;
import dev.pledge.intake.Contact;
import dev.pledge.intake.config.IntakeConfig;
import dev.pledge.intake.repository.ContactRepository;
import dev.pledge.intake.repository.ContactRepository.ActivityKey;
import dev.pledge.intake.service.ContactService.Asked;
import dev.pledge.intake.service.Groups.Waiting;
import dev.pledge.outbox.Outbox;
import dev.pledge.outbox.OutboxRelay;
import dev.pledge.web.Failures;
import dev.pledge.web.ProblemException;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * Group commit for activities, as {@link GroupCommit} is for new contacts: activities that arrive while a
 * transaction is being written queue for the next, and each group is written in one transaction on the
 * reactive client: its contacts locked in one statement (in id order, so two groups cannot deadlock), its
 * keys claimed in one, each activity applied in arrival order to a copy of its contact's state as the
 * activities before it left it ({@link ContactService#eventsOf}), then the contacts and the outbox rows
 * written with one statement each. Every request is answered after the commit: a 200 still means committed,
 * and an activity refused (4xx) is answered with the same problem as on its own, its key given back.
 *
 * <p>The exceptions take the one-activity path ({@link ContactService#applyAlone}) after the commit, which
 * answers them exactly as before: an activity whose key this caller already used (stored, or earlier in the
 * same group) gets the first answer or 422; if the group's transaction fails, each activity is applied alone,
 * so only one at fault fails (in a database outage each fails as it always did: 503).
 */
@ApplicationScoped
public class ActivityGroupCommit {
    private static final Logger LOG = Logger.getLogger(ActivityGroupCommit.class);

    private final Pool pool;
    private final ContactService contacts;
    private final OutboxRelay relay;
    private final IntakeConfig.GroupCommit config;
    private final Groups<Asked, Contact> groups;

    public ActivityGroupCommit(Pool pool, ContactService contacts, OutboxRelay relay, IntakeConfig config,
            MeterRegistry metrics) {
        this.pool = pool;
        this.contacts = contacts;
        this.relay = relay;
        this.config = config.groupCommit();
        this.groups = new Groups<>(this.config.writers(), this.config.maxSize(),
                DistributionSummary.builder("pledge.intake.activity.group.size")
                        .description("activities applied per transaction").register(metrics), this::write);
    }

    /** Applies the activity with whatever else is waiting; the contact as it left it comes after the commit. */
    public Uni<Contact> apply(Asked asked) {
        if (!config.enabled() || !config.activities()) {
            return contacts.applyAlone(asked);
        }
        return groups.submit(asked);
    }

    /** One group: one transaction, then each request answered (the exceptions by the one-activity path). */
    private Uni<Void> write(List<Waiting<Asked, Contact>> group) {
        Plan plan = new Plan(group);
        return pool.withTransaction(plan::write)
                .invoke(ignored -> {
                    relay.wake(); // once per group: its events go out now
                    for (Outcome o : plan.answered) {
                        if (o.refused() != null) {
                            o.request().fail(o.refused());
                        } else {
                            o.request().complete(o.contact());
                        }
                    }
                    plan.later.forEach(this::alone);
                })
                .onFailure().invoke(e -> {
                    if (group.size() > 1) {
                        LOG.infof("a group of %d activities failed (%s); applying them one by one", group.size(),
                                Failures.rootMessage(e));
                    }
                    group.forEach(this::alone);
                })
                .replaceWithVoid()
                .onFailure().recoverWithItem((Void) null);
    }

    /** Through the one-activity path, on the request's own context. */
    private void alone(Waiting<Asked, Contact> p) {
        p.alone(contacts::applyAlone);
    }

    /** What became of an activity in its group: the contact as it left it, or why it was refused. */
    private record Outcome(Waiting<Asked, Contact> request, Contact contact, RuntimeException refused) {
    }

    /**
     * One group's work. An activity whose key repeats one earlier in the group waits for the commit ({@code
     * later}), as does one whose key turns out already taken; the others are answered from {@code answered}.
     */
    private static final class Plan {
        final List<Waiting<Asked, Contact>> writing = new ArrayList<>();
        final List<Waiting<Asked, Contact>> later = new ArrayList<>();
        /** In arrival order: answered after the commit. */
        final List<Outcome> answered = new ArrayList<>();

        Plan(List<Waiting<Asked, Contact>> group) {
            Set<Map.Entry<String, String>> keys = new HashSet<>();
            for (Waiting<Asked, Contact> p : group) {
                String key = p.request.idempotencyKey();
                if (key != null && !keys.add(Map.entry(p.request.actor(), key))) {
                    later.add(p);
                } else {
                    writing.add(p);
                }
            }
        }

        Uni<Void> write(SqlConnection conn) {
            Set<String> ids = new LinkedHashSet<>();
            writing.forEach(p -> ids.add(p.request.contactId()));
            return conn.preparedQuery(ContactRepository.LOCK_ALL).execute(Tuple.of((Object) ids.toArray(new String[0])))
                    .flatMap(rows -> {
                        Map<String, Contact> state = new HashMap<>();
                        for (Row r : rows) {
                            Contact c = ContactRepository.of(r);
                            state.put(c.id, c);
                        }
                        List<Waiting<Asked, Contact>> found = new ArrayList<>();
                        List<ActivityKey> keys = new ArrayList<>();
                        for (Waiting<Asked, Contact> p : writing) {
                            Asked a = p.request;
                            Contact c = state.get(a.contactId());
                            if (c == null || !a.visible().test(c)) {
                                answered.add(new Outcome(p, null,
                                        ProblemException.notFound("contact " + a.contactId())));
                                continue;
                            }
                            found.add(p);
                            if (a.idempotencyKey() != null) {
                                keys.add(new ActivityKey(a.actor(), a.idempotencyKey(), c.id, a.requestSha256(), a.now()));
                            }
                        }
                        Uni<Set<Map.Entry<String, String>>> claiming = keys.isEmpty() ? Uni.createFrom().item(Set.of())
                                : ContactRepository.claimActivityKeys(conn, keys);
                        return claiming.flatMap(claimed -> apply(conn, state, found, claimed));
                    });
        }

        /** Each activity on its contact's latest state, in arrival order; then contacts, given-back keys and events. */
        private Uni<Void> apply(SqlConnection conn, Map<String, Contact> state, List<Waiting<Asked, Contact>> found,
                Set<Map.Entry<String, String>> claimed) {
            Map<String, Contact> changed = new LinkedHashMap<>();
            List<ContactEvent> events = new ArrayList<>();
            List<ActivityKey> giveBack = new ArrayList<>();
            for (Waiting<Asked, Contact> p : found) {
                Asked a = p.request;
                if (a.idempotencyKey() != null && !claimed.contains(Map.entry(a.actor(), a.idempotencyKey()))) {
                    later.add(p); // used before: the one-activity path answers it as a retry or 422
                    continue;
                }
                Contact next = state.get(a.contactId()).copy();
                try {
                    List<ContactEvent> these = ContactService.eventsOf(next, a);
                    state.put(next.id, next);
                    if (!these.isEmpty()) {
                        changed.put(next.id, next);
                        events.addAll(these);
                    }
                    answered.add(new Outcome(p, next, null));
                } catch (RuntimeException refused) {
                    answered.add(new Outcome(p, null, refused));
                    if (a.idempotencyKey() != null) {
                        giveBack.add(new ActivityKey(a.actor(), a.idempotencyKey(), next.id, a.requestSha256(), a.now()));
                    }
                }
            }
            Uni<Void> work = Uni.createFrom().voidItem();
            if (!giveBack.isEmpty()) {
                work = work.chain(() -> ContactRepository.releaseActivityKeys(conn, giveBack));
            }
            if (!changed.isEmpty()) {
                work = work.chain(() -> ContactRepository.updateAll(conn, changed.values()));
            }
            if (!events.isEmpty()) {
                work = work.chain(() -> Outbox.appendAll(conn, events, writing.get(0).request.now()));
            }
            return work;
        }
    }
}
