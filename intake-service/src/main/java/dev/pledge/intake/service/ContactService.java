package dev.pledge.intake.service;

import dev.pledge.events.ContactEvent;
import dev.pledge.events.ContactStatus;
import dev.pledge.events.EventJson;
import dev.pledge.events.Ids;
import dev.pledge.events.Priority;
import dev.pledge.intake.Contact;
import dev.pledge.intake.repository.ContactRepository;
import dev.pledge.intake.rest.Activity;
import dev.pledge.intake.rest.NewContact;
import dev.pledge.outbox.Outbox;
import dev.pledge.outbox.UnitOfWork;
import dev.pledge.policy.Policy;
import dev.pledge.web.Problem;
import dev.pledge.web.ProblemException;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * Contacts and their lifecycle. Every change writes the contact and its event to the outbox in one
 * transaction; anything refused is refused before the first write.
 */
@ApplicationScoped
public class ContactService {
    /** How far ahead of our clock a front end's occurredAt may be (clock skew), before it is refused. */
    static final Duration MAX_CLOCK_SKEW = Duration.ofMinutes(5);
    /** The furthest ahead a promise may be due. */
    static final Duration MAX_PROMISE = Duration.ofDays(366);

    private final ContactRepository contacts;
    private final Outbox outbox;
    private final PolicyService policies;
    private final UnitOfWork unitOfWork;

    public ContactService(ContactRepository contacts, Outbox outbox, PolicyService policies, UnitOfWork unitOfWork) {
        this.contacts = contacts;
        this.outbox = outbox;
        this.policies = policies;
        this.unitOfWork = unitOfWork;
    }

    /**
     * The contact this caller already stored under the idempotency key, else under the external id.
     * A retry (same request) gets it; a key or external id reused for another request is refused (422).
     */
    private Uni<Contact> firstAnswer(String caller, String idempotencyKey, String externalId, String requestSha256) {
        Uni<Contact> byKey = idempotencyKey == null ? Uni.createFrom().nullItem()
                : contacts.findByIdempotencyKey(caller, idempotencyKey);
        return byKey.flatMap(c -> c != null || externalId == null ? Uni.createFrom().item(c)
                        : contacts.findByExternalId(caller, externalId))
                .map(c -> {
                    if (c == null) {
                        // Both lookups miss only if the other request rolled back after we waited on it.
                        throw new IllegalStateException("a conflicting contact vanished; retry");
                    }
                    if (c.requestSha256 != null && !requestSha256.equals(c.requestSha256)) { // null: stored before hashes were kept
                        String field = idempotencyKey != null && idempotencyKey.equals(c.idempotencyKey)
                                ? "Idempotency-Key" : "externalId";
                        throw new ProblemException(Problem.invalid(Problem.UNPROCESSABLE, field
                                + ": already used for another request (contact " + c.id + "); a retry must send the same body",
                                List.of(new Problem.FieldError(field, "already used for another request"))));
                    }
                    return c;
                });
    }

    @WithSession
    public Uni<Contact> find(String id) {
        return contacts.findById(id);
    }

    /** A contact checked and classified, not yet written: what a group commit writes. */
    public record Prepared(Contact contact, Instant repeatSince) {
    }

    /**
     * Checks and classifies a new contact without touching the database: anything refused (unknown
     * tier or category, a future {@code occurredAt}) is refused here, before any write.
     */
    public Prepared prepare(NewContact request, String idempotencyKey, String caller) {
        PolicyService.Current current = policies.current();
        Policy policy = current.policy();
        Instant now = now();
        String tier = request.customer().tier() == null ? policy.tiers().get(0) : request.customer().tier();
        requireKnown("customer.tier", tier, policy.tiers());
        if (request.category() != null) {
            requireKnown("category", request.category(), policy.categories());
        }
        Instant occurredAt = request.occurredAt() == null ? now : request.occurredAt().truncatedTo(ChronoUnit.MICROS);
        if (occurredAt.isAfter(now.plus(MAX_CLOCK_SKEW))) {
            throw ProblemException.badField("occurredAt", "must not be in the future (it is " + now + " here)");
        }
        Policy.Classified classified = policy.classify(request.channel(), tier, request.subject(), request.body(),
                request.category(), request.priority());
        Contact c = new Contact();
        c.id = Ids.next().toString();
        c.externalId = request.externalId();
        c.idempotencyKey = idempotencyKey;
        c.caller = caller;
        c.requestSha256 = sha256(request);
        c.customerId = request.customer().id();
        c.customerName = request.customer().name();
        c.customerEmail = request.customer().email();
        c.customerPhone = request.customer().phone();
        c.tier = tier;
        c.channel = request.channel();
        c.subject = request.subject();
        c.body = request.body();
        c.category = classified.category();
        c.priority = classified.priority();
        c.team = classified.team();
        c.status = ContactStatus.OPEN;
        c.classifiedBy = classified.rule();
        c.policyVersion = current.version();
        c.occurredAt = occurredAt;
        c.receivedAt = now;
        c.updatedAt = now;
        return new Prepared(c, now.minus(policy.classification().repeatWindow()));
    }

    /** The event that announces a new contact (its {@code repeatOf} set). */
    public static ContactEvent.Received received(Contact c) {
        return new ContactEvent.Received(c.id, c.externalId,
                new ContactEvent.Customer(c.customerId, c.customerName, c.customerEmail, c.customerPhone, c.tier),
                c.channel, c.subject, c.body, c.category, c.priority, c.team, c.occurredAt, c.receivedAt,
                c.repeatOf, c.classifiedBy, c.policyVersion, c.caller);
    }

    /**
     * Stores one prepared contact and its {@code contact.received} in a transaction of its own, or
     * returns the one this caller already stored under the same idempotency key or external id,
     * writing nothing. {@link GroupCommit} writes many at once and comes here for the exceptions.
     */
    public Uni<Contact> receiveAlone(Prepared prepared) {
        return unitOfWork.run(() -> receiveInTransaction(prepared));
    }

    private Uni<Contact> receiveInTransaction(Prepared prepared) {
        Contact c = prepared.contact();
        return contacts.latestOf(c.customerId, c.category, prepared.repeatSince()).flatMap(earlier -> {
            c.repeatOf = earlier == null ? null : earlier.id;
            return contacts.insertIfNew(c).flatMap(inserted -> inserted
                    ? outbox.append(received(c), c.receivedAt).replaceWith(c)
                    : firstAnswer(c.caller, c.idempotencyKey, c.externalId, c.requestSha256));
        });
    }

    /**
     * A request as read (a record, or a list of what identifies it), in one canonical form: the same fields
     * give the same hash whatever their order in the body.
     */
    static String sha256(Object request) {
        try {
            byte[] canonical = EventJson.mapper().writeValueAsBytes(request);
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(canonical));
        } catch (Exception e) {
            throw new IllegalStateException("cannot hash the request", e);
        }
    }

    /**
     * An activity checked against the clock and the policy in force, not yet applied: what {@link
     * ActivityGroupCommit} applies, with others that arrive together, or {@link #applyAlone} on its own.
     * {@code visible}: whether the caller may see a contact (one it may not is answered as one that does not exist).
     */
    public record Asked(String contactId, Activity activity, String actor, boolean frontEnd, String idempotencyKey,
            String requestSha256, Instant at, Instant now, PolicyService.Current current, Predicate<Contact> visible) {
    }

    /** Checks an activity without touching the database; refused (4xx) here if it names a time in the future. */
    public Asked ask(String id, Activity activity, String actor, boolean frontEnd, String idempotencyKey,
            Predicate<Contact> visible) {
        Instant now = now();
        Instant at = activity.occurredAt() == null ? now : activity.occurredAt().truncatedTo(ChronoUnit.MICROS);
        if (at.isAfter(now.plus(MAX_CLOCK_SKEW))) {
            throw ProblemException.badField("occurredAt", "must not be in the future (it is " + now + " here)");
        }
        return new Asked(id, activity, actor, frontEnd, idempotencyKey, sha256(List.of(id, activity)), at, now,
                policies.current(), visible);
    }

    /**
     * Applies an activity to a contact in a transaction of its own, the contact locked so that its events are
     * published in order. With an {@code Idempotency-Key} (scoped to the caller, as for new contacts), a retry
     * of the same request answers the contact and publishes nothing; the key reused for another request is
     * 422. The key is claimed in the activity's transaction, so a retry that arrives while the first is in
     * flight waits for it. {@link ActivityGroupCommit} applies many at once and comes here for the exceptions.
     */
    public Uni<Contact> applyAlone(Asked a) {
        return unitOfWork.run(() -> contacts.findForUpdate(a.contactId()).flatMap(c -> {
            if (c == null || !a.visible().test(c)) {
                throw ProblemException.notFound("contact " + a.contactId());
            }
            if (a.idempotencyKey() == null) {
                return appendAll(c, eventsOf(c, a));
            }
            return contacts.claimActivityKey(a.actor(), a.idempotencyKey(), c.id, a.requestSha256(), a.now())
                    .flatMap(claimed -> claimed ? appendAll(c, eventsOf(c, a)) : retried(c, a));
        }));
    }

    /**
     * The answer to an activity whose key this caller already used: the contact if it is a retry (same body,
     * same contact; the first one's events stand, nothing is published again), else 422.
     */
    private Uni<Contact> retried(Contact c, Asked a) {
        return contacts.activityKey(a.actor(), a.idempotencyKey()).map(first -> {
            if (first == null || !c.id.equals(first[0]) || !a.requestSha256().equals(first[1])) {
                throw ProblemException.unprocessableField("Idempotency-Key", "already used for another"
                        + " request; a retry must send the same body to the same contact");
            }
            return c;
        });
    }

    private Uni<Contact> appendAll(Contact c, List<ContactEvent> events) {
        Uni<Void> chain = Uni.createFrom().voidItem();
        for (ContactEvent event : events) {
            chain = chain.chain(() -> outbox.append(event, c.updatedAt).replaceWithVoid());
        }
        return chain.replaceWith(c);
    }

    /**
     * What an activity does to a contact: {@code c} changed to match and the events that announce it (none
     * for an update that changes nothing). No I/O. Refused (4xx) if it does not fit the contact; {@code c} may
     * then be half changed, so the caller's transaction fails, or it applied to a copy.
     */
    static List<ContactEvent> eventsOf(Contact c, Asked a) {
        Activity activity = a.activity();
        String actor = a.actor();
        boolean frontEnd = a.frontEnd();
        Instant at = a.at();
        if (at.isBefore(c.occurredAt)) {
            throw ProblemException.unprocessableField("occurredAt", "must not be before the contact was received ("
                    + c.occurredAt + ")");
        }
        List<ContactEvent> events = new ArrayList<>(2);
        switch (activity.type()) {
            case AGENT_REPLIED -> events.add(new ContactEvent.AgentReplied(c.id, agent(activity, actor, frontEnd), at,
                    keeps(c, activity), via(activity, actor, frontEnd)));
            case CUSTOMER_REPLIED -> {
                // As helpdesks do (docs/outcomes.md): a reply on a pending contact answers what we waited for,
                // a reply on a resolved one says it is not resolved; either way the contact is open again
                // before the reply, so the reply's clock starts. A closed contact stays closed.
                if (c.status == ContactStatus.PENDING) {
                    events.add(changeStatus(c, ContactStatus.OPEN, actor, at));
                } else if (c.status == ContactStatus.RESOLVED) {
                    events.add(changeStatus(c, ContactStatus.REOPENED, actor, at));
                }
                events.add(new ContactEvent.CustomerReplied(c.id, at));
            }
            case STATUS_CHANGED -> events.add(statusChange(c, activity, actor, at));
            case UPDATED -> events.add(update(c, activity, actor, at, a.current()));
            case PROMISED -> events.add(promised(c, activity, actor, at, frontEnd));
            case PROMISE_KEPT -> events.add(promiseKept(c, activity, actor, at, frontEnd));
        }
        events.removeIf(Objects::isNull); // an update that changes nothing announces nothing
        if (!events.isEmpty()) {
            c.updatedAt = a.now();
        }
        return events;
    }

    /**
     * Who acted: the caller (the token subject), unless the caller is a front end acting for an agent it
     * names in {@code agentId}; an agent or supervisor cannot name another (422): the audit trail records
     * who called, never what a caller claims.
     */
    private static String agent(Activity a, String actor, boolean frontEnd) {
        if (a.agentId() == null || a.agentId().equals(actor)) {
            return actor;
        }
        if (!frontEnd) {
            throw ProblemException.unprocessableField("agentId", "only a front end (role intake) may name the agent it"
                    + " acts for; an agent's own token names the agent");
        }
        return a.agentId();
    }

    /** The front end that acted for the agent, when one did. */
    private static String via(Activity a, String actor, boolean frontEnd) {
        return frontEnd && a.agentId() != null && !a.agentId().equals(actor) ? actor : null;
    }

    /** The promises an agent reply says it keeps: each one made on this contact, named once. */
    private static List<Integer> keeps(Contact c, Activity a) {
        if (a.keeps() == null || a.keeps().isEmpty()) {
            return null;
        }
        for (Integer promise : a.keeps()) {
            if (promise == null || promise < 1 || promise > c.promises) {
                throw ProblemException.unprocessableField("keeps", c.promises == 0 ? "contact " + c.id + " has no promises"
                        : "each must be between 1 and " + c.promises + ", the promises made on contact " + c.id);
            }
        }
        return List.copyOf(new TreeSet<>(a.keeps()));
    }

    /** PostgreSQL keeps microseconds: events and stored rows carry the same instants. */
    private static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MICROS);
    }

    private static ContactEvent statusChange(Contact c, Activity activity, String actor, Instant at) {
        if (activity.status() == null) {
            throw ProblemException.badField("status", "is required for status-changed");
        }
        if (!c.status.canMoveTo(activity.status())) {
            throw ProblemException.conflict("contact " + c.id + " is " + c.status.wire() + " and cannot become "
                    + activity.status().wire());
        }
        if (c.statusAt != null && at.isBefore(c.statusAt)) {
            throw ProblemException.unprocessableField("occurredAt", "must not be before the contact's last status change ("
                    + c.statusAt + ")");
        }
        return changeStatus(c, activity.status(), actor, at);
    }

    private static ContactEvent changeStatus(Contact c, ContactStatus to, String actor, Instant at) {
        ContactStatus from = c.status;
        c.status = to;
        c.statusAt = c.statusAt == null || at.isAfter(c.statusAt) ? at : c.statusAt;
        return new ContactEvent.StatusChanged(c.id, from, c.status, actor, at);
    }

    /** A promise to the customer, due at an instant after it was made and within a year. */
    private static ContactEvent promised(Contact c, Activity a, String actor, Instant at, boolean frontEnd) {
        if (a.what() == null || a.what().isBlank()) {
            throw ProblemException.badField("what", "is required for promised: what was promised, in words");
        }
        if (a.due() == null) {
            throw ProblemException.badField("due", "is required for promised: the instant it is due, such as "
                    + at.plus(1, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS));
        }
        Instant due = a.due().truncatedTo(ChronoUnit.MICROS);
        if (!due.isAfter(at)) {
            throw ProblemException.badField("due", "must be after the promise was made (" + at + ")");
        }
        if (due.isAfter(at.plus(MAX_PROMISE))) {
            throw ProblemException.badField("due", "must be within " + MAX_PROMISE.toDays() + " days");
        }
        c.promises++;
        return new ContactEvent.PromiseMade(c.id, c.promises, a.what().strip(), due, agent(a, actor, frontEnd), at,
                via(a, actor, frontEnd));
    }

    private static ContactEvent promiseKept(Contact c, Activity a, String actor, Instant at, boolean frontEnd) {
        if (a.promise() == null) {
            throw ProblemException.badField("promise", "is required for promise-kept: the number of the promise");
        }
        if (a.promise() < 1 || a.promise() > c.promises) {
            throw ProblemException.badField("promise", c.promises == 0 ? "contact " + c.id + " has no promises"
                    : "must be between 1 and " + c.promises + ", the promises made on contact " + c.id);
        }
        return new ContactEvent.PromiseKept(c.id, a.promise(), agent(a, actor, frontEnd), at, via(a, actor, frontEnd));
    }

    private static ContactEvent update(Contact c, Activity a, String actor, Instant at, PolicyService.Current current) {
        Policy policy = current.policy();
        if (a.category() != null) {
            requireKnown("category", a.category(), policy.categories());
        }
        if (a.tier() != null) {
            requireKnown("tier", a.tier(), policy.tiers());
        }
        if (a.team() != null && !policy.teams().isEmpty()) {
            requireKnown("team", a.team(), policy.teams());
        }
        if (a.priority() == null && a.category() == null && a.team() == null && a.assignee() == null && a.tier() == null) {
            throw ProblemException.badField("type", "updated needs at least one of priority, category, team, assignee, tier");
        }
        List<String> changed = new ArrayList<>();
        Priority priority = changed(changed, "priority", c.priority, a.priority());
        String category = changed(changed, "category", c.category, a.category());
        String team = changed(changed, "team", c.team, a.team());
        String assignee = changed(changed, "assignee", c.assignee, a.assignee());
        String tier = changed(changed, "tier", c.tier, a.tier());
        if (changed.isEmpty()) {
            return null;
        }
        c.priority = priority;
        c.category = category;
        c.team = team;
        c.assignee = assignee;
        c.tier = tier;
        // A contact keeps the policy version it was received under, unless what the policy's rules match on
        // changes: then its rules are chosen again, under the version in force now (the event names it).
        if (changed.contains("priority") || changed.contains("category") || changed.contains("tier")) {
            c.policyVersion = current.version();
        }
        return new ContactEvent.Updated(c.id, priority, category, assignee, team, tier, List.copyOf(changed), actor,
                at, c.policyVersion);
    }

    private static <T> T changed(List<String> changed, String field, T old, T requested) {
        if (requested == null || Objects.equals(old, requested)) {
            return old;
        }
        changed.add(field);
        return requested;
    }

    private static void requireKnown(String field, String value, List<String> known) {
        if (!known.contains(value)) {
            throw ProblemException.badField(field, "unknown value '" + value + "', expected one of " + known);
        }
    }
}
