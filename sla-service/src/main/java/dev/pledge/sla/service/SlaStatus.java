package dev.pledge.sla.service;

import dev.pledge.events.SlaMetric;
import dev.pledge.outcomes.Timer;
import dev.pledge.policy.BusinessCalendar;
import dev.pledge.policy.feed.PolicyFeed;
import dev.pledge.sla.SlaTimer;
import dev.pledge.sla.repository.ContactRepository;
import dev.pledge.sla.repository.TimerRepository;
import dev.pledge.web.Paging;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Predicate;

/** Timers as people read them: a contact's, and those at risk, with business time used and left. */
@ApplicationScoped
public class SlaStatus {
    private final TimerRepository timers;
    private final ContactRepository contacts;
    private final PolicyFeed policies;

    public SlaStatus(TimerRepository timers, ContactRepository contacts, PolicyFeed policies) {
        this.timers = timers;
        this.contacts = contacts;
        this.policies = policies;
    }

    /**
     * One timer as people read it: business time used and left, in the timer's calendar. A promise
     * (metric {@code promise}, cycle its number) also says what was promised.
     */
    public record TimerView(String contactId, SlaMetric metric, int cycle, String state, String rule, String calendar,
            Duration target, Instant startedAt, Instant deadline, Duration used, Duration left, boolean breached,
            Integer warnedPercent, Instant endedAt, Boolean inTarget, int policyVersion, String promised) {
    }

    /**
     * A contact's timers, or none. {@code sentBy}: null when the caller may see any contact, else which
     * senders' contacts it may see (a front end: its own); the contact is then read to know who sent it.
     */
    public Uni<List<TimerView>> ofContact(String contactId, Predicate<String> sentBy) {
        Instant now = Instant.now();
        return Panache.withSession(() -> (sentBy == null ? Uni.createFrom().item(true)
                        : contacts.findById(contactId).map(c -> c != null && sentBy.test(c.caller)))
                .chain(visible -> visible ? timers.ofContact(contactId) : Uni.createFrom().item(List.<SlaTimer>of())))
                .map(list -> list.stream().map(t -> view(t, now)).toList());
    }

    /** Running timers not yet breached whose deadline is within {@code within}, soonest first. */
    public Uni<List<TimerView>> atRisk(Duration within, Paging paging) {
        Instant now = Instant.now();
        return Panache.withSession(() -> timers.atRisk(now.plus(within), paging))
                .map(list -> list.stream().map(t -> view(t, now)).toList());
    }

    private TimerView view(SlaTimer row, Instant now) {
        Timer t = row.model();
        BusinessCalendar cal = policies.version(t.policyVersion).calendar(t.calendar);
        Duration used = t.used(cal, now);
        Duration left = t.isOpen() ? t.target().minus(used) : null;
        return new TimerView(t.contactId, t.slaMetric(), t.cycle, t.state, t.rule, t.calendar, t.target(), t.startedAt,
                t.deadline, used, left == null || left.isNegative() ? (left == null ? null : Duration.ZERO) : left,
                t.breached, t.warnedPercent == 0 ? null : t.warnedPercent, t.endedAt, t.inTarget, t.policyVersion,
                t.promised);
    }
}
