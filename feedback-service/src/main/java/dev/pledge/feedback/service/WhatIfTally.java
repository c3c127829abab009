package dev.pledge.feedback.service;

import dev.pledge.events.ContactEvent;
import dev.pledge.events.EventJson;
import dev.pledge.events.EventType;
import dev.pledge.events.SlaMetric;
import dev.pledge.outcomes.Replay;
import dev.pledge.policy.Policy;
import io.vertx.mutiny.sqlclient.Row;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.IntFunction;

/**
 * A what-if's report as it is counted, contact by contact: each contact's row of {@link WhatIf}'s query (its
 * recorded events and recorded outcomes) replayed, compared, and added to the lines of the report.
 */
final class WhatIfTally {
    private final Map<String, RowTally> rows = new TreeMap<>();
    private final Map<String, long[]> escalations = new TreeMap<>();
    private final Map<String, long[]> surveys = new TreeMap<>();
    private long contacts;
    private long skipped;
    private String skippedBecause;
    private long changed;
    private long warnings;

    /** Replays one contact's row and adds it up; a contact that cannot be replayed is counted as skipped. */
    void add(Row r, IntFunction<Policy> versions, Instant until) {
        String contactId = r.getString("contact_id");
        Replay.Result result;
        try {
            result = Replay.run(history(r), versions, until);
        } catch (RuntimeException e) {
            skipped++;
            if (skippedBecause == null) {
                skippedBecause = contactId + ": " + e.getMessage();
            }
            return;
        }
        contacts++;
        warnings += result.warnings();
        Map<String, Replay.Outcome> recorded = recorded(r);
        String channel = result.channel().wire();
        for (Replay.Target t : result.targets()) {
            String key = t.metric().wire() + "#" + t.cycle();
            Replay.Outcome now = recorded.remove(key);
            row(t.metric().wire(), t.rule(), channel).add(contactId, now, t.outcome());
            if (t.outcome() != (now == null ? Replay.Outcome.NONE : now)) {
                changed++;
            }
        }
        // recorded targets the candidate does not set
        recorded.forEach((key, now) -> {
            row(key.substring(0, key.indexOf('#')), "-", channel).add(contactId, now, null);
            if (now != Replay.Outcome.NONE) {
                changed++;
            }
        });
        for (Replay.Raised e : result.escalations()) {
            escalations.computeIfAbsent(e.rule() + "\u0000" + e.level(), k -> new long[1])[0]++;
        }
        if (result.survey() != null) {
            surveys.computeIfAbsent(result.survey().wire(), k -> new long[1])[0]++;
        }
    }

    private RowTally row(String metric, String rule, String channel) {
        return rows.computeIfAbsent(metric + "|" + rule + "|" + channel, k -> new RowTally(metric, rule, channel));
    }

    /** The report of what was added, for the period and policy the job names. */
    WhatIf.Report report(Instant from, Instant to, String policy, Instant until) {
        List<WhatIf.Line> out = rows.values().stream().map(RowTally::line).toList();
        long targetsNow = 0, metNow = 0, breachedNow = 0, targetsCandidate = 0, metCandidate = 0,
                breachedCandidate = 0;
        // SLA compliance counts targets only (docs/outcomes.md), as /sla/compliance and /kpis do: promises have lines
        // of their own and stay out of the totals
        for (WhatIf.Line row : out) {
            if (SlaMetric.PROMISE.wire().equals(row.metric())) {
                continue;
            }
            targetsNow += row.targetsNow();
            metNow += row.metNow();
            breachedNow += row.breachedNow();
            targetsCandidate += row.targetsCandidate();
            metCandidate += row.metCandidate();
            breachedCandidate += row.breachedCandidate();
        }
        List<WhatIf.Escalations> esc = new ArrayList<>();
        escalations.forEach((k, v) -> {
            String[] parts = k.split("\u0000", 2);
            esc.add(new WhatIf.Escalations(parts[0], parts[1], v[0]));
        });
        List<WhatIf.Surveys> sent = new ArrayList<>();
        surveys.forEach((k, v) -> sent.add(new WhatIf.Surveys(k, v[0])));
        return new WhatIf.Report(from, to, policy, until, contacts, skipped, skippedBecause, targetsNow,
                metNow, breachedNow, targetsCandidate, metCandidate, breachedCandidate,
                KpiFigures.share(metNow, metNow + breachedNow).percent(),
                KpiFigures.share(metCandidate, metCandidate + breachedCandidate).percent(), changed, warnings, out, esc,
                sent);
    }

    /** The contact's recorded events, parsed. */
    private static List<Replay.Recorded> history(Row r) {
        String[] types = r.getArrayOfStrings("types");
        OffsetDateTime[] arrived = r.getArrayOfOffsetDateTimes("arrived");
        String[] ids = r.getArrayOfStrings("ids");
        String[] events = r.getArrayOfStrings("events");
        List<Replay.Recorded> history = new ArrayList<>(types.length);
        for (int i = 0; i < types.length; i++) {
            history.add(new Replay.Recorded(arrived[i].toInstant(), ids[i],
                    (ContactEvent) EventJson.fromJson(events[i], EventType.of(types[i]).payload())));
        }
        return history;
    }

    /** The outcomes sla-service recorded for the contact's targets, by {@code <metric>#<cycle>}. */
    private static Map<String, Replay.Outcome> recorded(Row r) {
        String[] metrics = r.getArrayOfStrings("metrics");
        Integer[] cycles = r.getArrayOfIntegers("cycles");
        String[] outcomes = r.getArrayOfStrings("outcomes");
        Map<String, Replay.Outcome> recorded = new HashMap<>();
        if (metrics != null) {
            for (int i = 0; i < metrics.length; i++) {
                recorded.put(metrics[i] + "#" + cycles[i], switch (outcomes[i]) {
                    case "met" -> Replay.Outcome.MET;
                    case "breached" -> Replay.Outcome.BREACHED;
                    default -> Replay.Outcome.NONE;
                });
            }
        }
        return recorded;
    }

    private static final class RowTally {
        final String metric;
        final String rule;
        final String channel;
        long targetsNow;
        long metNow;
        long breachedNow;
        long targetsCandidate;
        long metCandidate;
        long breachedCandidate;
        long wouldBeMet;
        long wouldBeMissed;
        final List<String> examples = new ArrayList<>();

        RowTally(String metric, String rule, String channel) {
            this.metric = metric;
            this.rule = rule;
            this.channel = channel;
        }

        /** {@code now} null: no such target was recorded; {@code candidate} null: the candidate sets none. */
        void add(String contactId, Replay.Outcome now, Replay.Outcome candidate) {
            if (now != null) {
                targetsNow++;
                metNow += now == Replay.Outcome.MET ? 1 : 0;
                breachedNow += now == Replay.Outcome.BREACHED ? 1 : 0;
            }
            if (candidate != null) {
                targetsCandidate++;
                metCandidate += candidate == Replay.Outcome.MET ? 1 : 0;
                breachedCandidate += candidate == Replay.Outcome.BREACHED ? 1 : 0;
            }
            boolean met = candidate == Replay.Outcome.MET && now != Replay.Outcome.MET;
            boolean missed = candidate == Replay.Outcome.BREACHED && now != Replay.Outcome.BREACHED;
            wouldBeMet += met ? 1 : 0;
            wouldBeMissed += missed ? 1 : 0;
            if ((met || missed) && examples.size() < WhatIf.EXAMPLES && !examples.contains(contactId)) {
                examples.add(contactId);
            }
        }

        WhatIf.Line line() {
            return new WhatIf.Line(metric, rule, channel, targetsNow, metNow, breachedNow, targetsCandidate, metCandidate,
                    breachedCandidate, KpiFigures.share(metNow, metNow + breachedNow).percent(),
                    KpiFigures.share(metCandidate, metCandidate + breachedCandidate).percent(), wouldBeMet, wouldBeMissed,
                    List.copyOf(examples));
        }
    }
}
