package dev.pledge.outcomes;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pledge.events.Channel;
import dev.pledge.events.ContactEvent;
import dev.pledge.events.ContactStatus;
import dev.pledge.events.Priority;
import dev.pledge.policy.Policy;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.IntFunction;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

/**
 * The identity, over generated histories: replaying the versions that were in force reproduces every outcome
 * production recorded. "Production" here is the same model driven as sla-service drives it: each record applied
 * when it arrives, and the timer engine firing what is due late (up to 5 minutes: a busy engine, a restart), not at
 * the instant; the replay fires at the instant. Stories mix channels, priorities, replies on both sides, pending
 * and back, on-hold, resolve, reopen, close, promises made and kept, priority changes, a second policy version
 * published mid-life, and late records (a reply or a kept promise whose record arrives minutes after it was
 * made: the corrections production makes).
 */
class ReplayIdentityTest {
    static final Instant T0 = Instant.parse("2026-03-02T08:30:00Z");

    static final String RULES_V1 = """
              pauses:
                resolution: [pending, on-hold]
                next-response: [on-hold]
              warnings: [50, 75, 90]
              rules:
                - name: urgent-chat
                  when: { channels: [chat], priorities: [urgent, high] }
                  firstResponse: PT1M
                  nextResponse: PT1M
                  resolution: PT30M
                - name: chat
                  when: { channels: [chat, phone] }
                  firstResponse: PT3M
                  nextResponse: PT2M
                  resolution: PT1H
                - name: email
                  calendar: weekdays
                  firstResponse: PT20M
                  resolution: PT2H
            """;

    static final String RULES_V2 = RULES_V1.replace("firstResponse: PT3M", "firstResponse: PT5M")
            .replace("resolution: PT2H", "nextResponse: PT15M\n      resolution: PT3H")
            .replace("resolution: [pending, on-hold]", "resolution: [pending]\n    first-response: [pending]");

    static Policy policy(String sla) {
        return TestPolicies.withSla(sla, """
                      monday: ["09:00-12:00", "13:00-17:00"]
                      tuesday: ["09:00-17:00"]
                      wednesday: ["09:00-17:00"]
                      thursday: ["09:00-17:00"]
                      friday: ["09:00-17:00"]
                """);
    }

    static final Map<Integer, Policy> VERSIONS = Map.of(1, policy(RULES_V1), 2, policy(RULES_V2));

    @Property(tries = 3000)
    void replayingTheVersionsInForceReproducesEveryRecordedOutcome(@ForAll @LongRange(min = 0, max = Long.MAX_VALUE) long seed,
            @ForAll @IntRange(min = 0, max = 300_000) int latenessMillis) {
        List<Replay.Recorded> history = story(new Random(seed));
        Instant until = T0.plus(Duration.ofHours(12));
        IntFunction<Policy> versions = VERSIONS::get;

        Map<String, Replay.Outcome> recorded = production(history, versions, Duration.ofMillis(latenessMillis), until);
        Replay.Result replayed = Replay.run(history, versions, until);

        Map<String, Replay.Outcome> outcomes = new java.util.TreeMap<>();
        replayed.targets().forEach(t -> outcomes.put(t.metric().wire() + "#" + t.cycle(), t.outcome()));
        assertThat(outcomes).as("history %s", history).isEqualTo(recorded);
    }

    /** sla-service's way: each record when it arrives; the engine fires what is due, {@code lateness} late. */
    static Map<String, Replay.Outcome> production(List<Replay.Recorded> history, IntFunction<Policy> versions,
            Duration lateness, Instant until) {
        List<ContactSla.Emitted> out = new ArrayList<>();
        ContactSla sla = ContactSla.received((ContactEvent.Received) history.get(0).event(), versions, out);
        Instant clock = history.get(0).arrivedAt();
        for (Replay.Recorded r : history.subList(1, history.size())) {
            engine(sla, clock, r.arrivedAt(), lateness, out);
            clock = r.arrivedAt();
            sla.on(r.event(), r.eventId(), out);
        }
        engine(sla, clock, until, lateness, out);
        Map<String, Replay.Outcome> outcomes = new java.util.TreeMap<>();
        sla.timers().forEach(t -> outcomes.put(t.metric + "#" + t.cycle, Replay.Outcome.of(t.inTarget)));
        return outcomes;
    }

    private static void engine(ContactSla sla, Instant since, Instant limit, Duration lateness,
            List<ContactSla.Emitted> out) {
        Instant next;
        while ((next = sla.nextFireAt()) != null) {
            Instant at = next.plus(lateness);
            if (at.isBefore(since)) {
                at = since; // armed by a record that arrived after it was due: fired as soon as it is known
            }
            if (at.isAfter(limit)) {
                return;
            }
            sla.fireDue(at, out);
        }
    }

    /** A random contact's life, in arrival order. */
    static List<Replay.Recorded> story(Random random) {
        String id = "c-" + random.nextInt(1_000_000);
        Channel channel = List.of(Channel.CHAT, Channel.PHONE, Channel.EMAIL, Channel.WEB).get(random.nextInt(4));
        Priority priority = Priority.values()[random.nextInt(Priority.values().length)];
        int version = random.nextInt(4) == 0 ? 2 : 1;
        Instant at = T0.plusSeconds(random.nextInt(8 * 3600));
        List<Replay.Recorded> events = new ArrayList<>();
        events.add(new Replay.Recorded(at, id + "-0", new ContactEvent.Received(id, null,
                new ContactEvent.Customer("cust", "Ann", null, null, "standard"), channel, "Parcel", "Where is it?",
                "delivery", priority, null, at, at, null, null, version)));
        ContactStatus status = ContactStatus.OPEN;
        Instant lastStatus = at;
        int promises = 0;
        int steps = random.nextInt(9);
        for (int i = 1; i <= steps; i++) {
            at = at.plusMillis(random.nextInt(random.nextBoolean() ? 90_000 : 900_000));
            String eventId = id + "-" + i;
            int pick = random.nextInt(11);
            if (status == ContactStatus.CLOSED) {
                pick = 1; // a reply on a closed contact is recorded and reopens nothing
            }
            switch (pick) {
                case 0, 1 -> events.add(new Replay.Recorded(at, eventId, new ContactEvent.CustomerReplied(id, at)));
                case 2, 3 -> {
                    // sometimes its record comes late: made earlier than it arrives (never before the last status)
                    Instant made = random.nextInt(3) == 0 ? later(lastStatus, at.minusSeconds(random.nextInt(600)))
                            : at;
                    List<Integer> keeps = promises > 0 && random.nextBoolean() ? List.of(1 + random.nextInt(promises))
                            : null;
                    events.add(new Replay.Recorded(at, eventId, new ContactEvent.AgentReplied(id, "a", made, keeps)));
                }
                case 4 -> {
                    ContactStatus to = switch (status) {
                        case OPEN, REOPENED -> List.of(ContactStatus.PENDING, ContactStatus.ON_HOLD,
                                ContactStatus.RESOLVED).get(random.nextInt(3));
                        case PENDING, ON_HOLD -> random.nextBoolean() ? ContactStatus.OPEN : ContactStatus.RESOLVED;
                        case RESOLVED -> random.nextBoolean() ? ContactStatus.REOPENED : ContactStatus.CLOSED;
                        case CLOSED -> ContactStatus.CLOSED;
                    };
                    if (to != status) {
                        events.add(new Replay.Recorded(at, eventId, new ContactEvent.StatusChanged(id, status, to, "a", at)));
                        status = to;
                        lastStatus = at;
                    }
                }
                case 5, 6 -> {
                    promises++;
                    Instant due = at.plusSeconds(30 + random.nextInt(1800));
                    events.add(new Replay.Recorded(at, eventId,
                            new ContactEvent.PromiseMade(id, promises, "call back", due, "a", at)));
                }
                case 7 -> {
                    if (promises > 0) {
                        Instant made = random.nextBoolean() ? at : later(lastStatus, at.minusSeconds(random.nextInt(900)));
                        events.add(new Replay.Recorded(at, eventId,
                                new ContactEvent.PromiseKept(id, 1 + random.nextInt(promises), "a", made)));
                    }
                }
                case 8 -> {
                    Priority p = Priority.values()[random.nextInt(Priority.values().length)];
                    int v = random.nextInt(3) == 0 ? 2 : version;
                    version = v;
                    events.add(new Replay.Recorded(at, eventId, new ContactEvent.Updated(id, p, null, null, null, null,
                            List.of("priority"), "a", at, v)));
                }
                default -> {
                    if (status == ContactStatus.OPEN || status == ContactStatus.REOPENED) {
                        events.add(new Replay.Recorded(at, eventId,
                                new ContactEvent.StatusChanged(id, status, ContactStatus.RESOLVED, "a", at)));
                        status = ContactStatus.RESOLVED;
                        lastStatus = at;
                    }
                }
            }
        }
        return events;
    }

    private static Instant later(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }
}
