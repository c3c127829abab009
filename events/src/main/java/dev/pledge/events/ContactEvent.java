package dev.pledge.events;

import java.time.Instant;
import java.util.List;

/** Events on {@link Topics#CONTACT_EVENTS}, keyed by contact id. Produced by intake-service. */
public sealed interface ContactEvent extends PledgeEvent {

    String contactId();

    Instant occurredAt();

    @Override
    default String key() {
        return contactId();
    }

    /** The customer as the front end identified them. {@code tier} is one of the policy's tiers. */
    record Customer(String id, String name, String email, String phone, String tier) {
    }

    /**
     * A new contact. {@code repeatOf} names an earlier contact of the same customer on the same
     * category within the policy's repeat window, or is null. {@code classifiedBy} names the
     * classification rule that set category or priority, null when the front end gave both.
     * {@code caller} is the token subject of the front end that sent it: the one front end that may read
     * it back (contract 1.2, additive).
     */
    record Received(String contactId, String externalId, Customer customer, Channel channel, String subject,
            String body, String category, Priority priority, String team, Instant occurredAt, Instant receivedAt,
            String repeatOf, String classifiedBy, int policyVersion, String caller) implements ContactEvent {
        public Received(String contactId, String externalId, Customer customer, Channel channel, String subject,
                String body, String category, Priority priority, String team, Instant occurredAt, Instant receivedAt,
                String repeatOf, String classifiedBy, int policyVersion) {
            this(contactId, externalId, customer, channel, subject, body, category, priority, team, occurredAt,
                    receivedAt, repeatOf, classifiedBy, policyVersion, null);
        }
    }

    /** Routing fields after a change; {@code changed} lists which of them changed. */
    record Updated(String contactId, Priority priority, String category, String assignee, String team, String tier,
            List<String> changed, String changedBy, Instant occurredAt, int policyVersion) implements ContactEvent {
    }

    /**
     * An agent answered the customer. {@code keeps} lists the promises (by number) this reply keeps, when
     * the agent says so; a reply keeps no promise otherwise. {@code agentId} is the agent: the caller's token
     * subject, or the agent a front end ({@code via}, its token subject) says it acts for. Both contract 1.2,
     * additive; {@code via} is absent when the agent called in person.
     */
    record AgentReplied(String contactId, String agentId, Instant occurredAt, List<Integer> keeps, String via)
            implements ContactEvent {
        public AgentReplied(String contactId, String agentId, Instant occurredAt, List<Integer> keeps) {
            this(contactId, agentId, occurredAt, keeps, null);
        }

        public AgentReplied(String contactId, String agentId, Instant occurredAt) {
            this(contactId, agentId, occurredAt, null, null);
        }
    }

    record CustomerReplied(String contactId, Instant occurredAt) implements ContactEvent {
    }

    /**
     * An agent promised the customer something by a time ("a call back by Tuesday 10:00"). {@code promise}
     * numbers the contact's promises from 1; {@code due} is an instant, counted around the clock.
     */
    record PromiseMade(String contactId, int promise, String what, Instant due, String madeBy, Instant occurredAt,
            String via) implements ContactEvent {
        public PromiseMade(String contactId, int promise, String what, Instant due, String madeBy, Instant occurredAt) {
            this(contactId, promise, what, due, madeBy, occurredAt, null);
        }
    }

    /**
     * An agent marked a promise kept (or an agent reply named it in {@code keeps}). {@code keptBy} and
     * {@code via} as {@link AgentReplied}'s {@code agentId} and {@code via}.
     */
    record PromiseKept(String contactId, int promise, String keptBy, Instant occurredAt, String via)
            implements ContactEvent {
        public PromiseKept(String contactId, int promise, String keptBy, Instant occurredAt) {
            this(contactId, promise, keptBy, occurredAt, null);
        }
    }

    record StatusChanged(String contactId, ContactStatus from, ContactStatus to, String changedBy, Instant occurredAt)
            implements ContactEvent {
    }
}
