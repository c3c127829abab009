package dev.pledge.escalation.service;

import dev.pledge.escalation.Complaint;
import dev.pledge.escalation.Escalation;
import dev.pledge.escalation.EscalationContact;
import dev.pledge.escalation.EscalationDecision;
import dev.pledge.escalation.repository.EscalationRepository;
import dev.pledge.events.PledgeEvent;
import dev.pledge.outbox.Outbox;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The state one transaction works on: the contacts it locked (and those it creates), their
 * unresolved escalations and their complaints; then what it writes: new rows, events for the outbox,
 * and the contacts whose next due time moved. Changes to loaded rows are flushed by Hibernate; new rows
 * are inserted set-based ({@link EscalationRepository#insert}).
 */
public final class Changes {
    final Map<String, EscalationContact> contacts = new HashMap<>();
    final Map<String, Escalation> open = new HashMap<>();
    final Map<String, Complaint> complaints = new HashMap<>();
    private final List<Object> created = new ArrayList<>();
    private final List<Outbox.Entry> events = new ArrayList<>();
    private final Set<EscalationContact> touched = new LinkedHashSet<>();
    private final Map<String, Instant> scheduledBefore = new LinkedHashMap<>();

    public Changes(EscalationRepository.Loaded loaded) {
        loaded.contacts().forEach(c -> {
            this.contacts.put(c.contactId, c);
            scheduledBefore.put(c.contactId, c.nextFireAt);
        });
        loaded.unresolved().forEach(e -> open.put(e.contactId, e));
        loaded.complaints().forEach(c -> this.complaints.put(c.contactId, c));
    }

    void create(Object entity) {
        created.add(entity);
        if (entity instanceof EscalationContact c) {
            contacts.put(c.contactId, c);
            scheduledBefore.put(c.contactId, null);
        } else if (entity instanceof Escalation e) {
            open.put(e.contactId, e);
        } else if (entity instanceof Complaint c) {
            complaints.put(c.contactId, c);
        }
    }

    void emit(PledgeEvent event, Object... idParts) {
        events.add(new Outbox.Entry(event, Outbox.idOf(idParts)));
    }

    void touch(EscalationContact contact) {
        touched.add(contact);
    }

    void decided(Escalation e, Instant at, String kind, String rule, String eventId, String reason) {
        EscalationDecision d = new EscalationDecision();
        d.decisionId = Outbox.idOf(e.escalationId, kind, e.climbs, e.repeats, eventId, at);
        d.escalationId = e.escalationId;
        d.contactId = e.contactId;
        d.at = at;
        d.kind = kind;
        d.level = e.level;
        d.team = e.team;
        d.rule = rule;
        d.eventId = eventId;
        d.policyVersion = e.policyVersion;
        d.reason = reason;
        created.add(d);
    }

    /**
     * Writes it all in the caller's transaction: changes to loaded rows first (an escalation resolved
     * here frees its contact for a new one), then the new rows, then the events. Returns the contacts
     * whose next due time moved, for the clock.
     */
    public Uni<List<EscalationContact>> write(EscalationRepository repository, Outbox outbox) {
        List<EscalationContact> moved = new ArrayList<>();
        for (EscalationContact c : touched) {
            Escalation e = open.get(c.contactId);
            Complaint k = complaints.get(c.contactId);
            c.nextFireAt = earliest(e == null ? null : e.nextFireAt, k == null ? null : k.nextFireAt);
            if (!Objects.equals(c.nextFireAt, scheduledBefore.get(c.contactId))) {
                moved.add(c);
            }
        }
        Uni<Void> chain = Panache.getSession().flatMap(s -> s.flush());
        if (!created.isEmpty()) {
            chain = chain.chain(() -> repository.insert(ofType(EscalationContact.class), ofType(Complaint.class),
                    ofType(Escalation.class), ofType(EscalationDecision.class)));
        }
        if (!events.isEmpty()) {
            chain = chain.chain(() -> outbox.appendAll(events, Instant.now()));
        }
        return chain.replaceWith(moved);
    }

    private <T> List<T> ofType(Class<T> type) {
        return created.stream().filter(type::isInstance).map(type::cast).toList();
    }

    /** The events this transaction will append, in order. */
    List<PledgeEvent> emitted() {
        return events.stream().map(Outbox.Entry::event).toList();
    }


    private static Instant earliest(Instant a, Instant b) {
        if (a == null) {
            return b;
        }
        return b == null || a.isBefore(b) ? a : b;
    }
}
