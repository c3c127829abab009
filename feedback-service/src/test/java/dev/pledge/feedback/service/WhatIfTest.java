package dev.pledge.feedback.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pledge.events.Channel;
import dev.pledge.events.Priority;
import dev.pledge.events.SlaMetric;
import dev.pledge.policy.Policy;
import dev.pledge.policy.PolicyLoader;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The replay's arithmetic: the rule a policy picks, time in its calendar, pauses left out. */
class WhatIfTest {
    static final Policy DEFAULT = PolicyLoader.defaultPolicy();

    static WhatIf.Fact fact(SlaMetric metric, String start, String end, List<Instant> paused, List<Instant> resumed) {
        return new WhatIf.Fact("c-1", metric, Instant.parse(start), Instant.parse(end), Channel.EMAIL, Priority.NORMAL,
                "standard", "delivery", paused, resumed);
    }

    @Test
    void timeOutsideTheRulesCalendarDoesNotCount() {
        Policy.SlaRule rule = DEFAULT.slaRule(Channel.EMAIL, Priority.NORMAL, "standard", "delivery");
        // Friday 16:00 to Monday 10:00 in London (winter, UTC): 1 h on Friday + 1 h on Monday in office hours
        WhatIf.Fact f = fact(SlaMetric.FIRST_RESPONSE, "2026-11-27T16:00:00Z", "2026-11-30T10:00:00Z", List.of(), List.of());
        WhatIf.Outcome o = WhatIf.outcome(DEFAULT, f);
        assertThat(o.rule()).isEqualTo(rule.name());
        boolean withinTwoHours = rule.firstResponse().compareTo(java.time.Duration.ofHours(2)) >= 0;
        assertThat(o.met()).isEqualTo(withinTwoHours);
    }

    @Test
    void pausesAreLeftOut() {
        String yaml = PolicyLoader.defaultPolicyText().replaceFirst("(?s)\nsla:\n.*?\nclassification:\n", """

                sla:
                  rules:
                    - name: all
                      calendar: 24x7
                      firstResponse: PT10M
                classification:
                """);
        Policy policy = PolicyLoader.load(yaml);
        List<Instant> paused = List.of(Instant.parse("2026-03-02T10:02:00Z"));
        List<Instant> resumed = List.of(Instant.parse("2026-03-02T10:22:00Z"));
        // 28 minutes, 20 of them paused: 8 count
        assertThat(WhatIf.outcome(policy, fact(SlaMetric.FIRST_RESPONSE, "2026-03-02T10:00:00Z",
                "2026-03-02T10:28:00Z", paused, resumed)).met()).isTrue();
        assertThat(WhatIf.outcome(policy, fact(SlaMetric.FIRST_RESPONSE, "2026-03-02T10:00:00Z",
                "2026-03-02T10:28:00Z", List.of(), List.of())).met()).isFalse();
        // a pause that began before the target started counts only from the start
        assertThat(WhatIf.outcome(policy, fact(SlaMetric.FIRST_RESPONSE, "2026-03-02T10:10:00Z",
                "2026-03-02T10:25:00Z", paused, resumed)).met()).isTrue();
        // no resolution target in this policy: nothing to replay
        assertThat(WhatIf.outcome(policy, fact(SlaMetric.RESOLUTION, "2026-03-02T10:00:00Z",
                "2026-03-02T11:00:00Z", List.of(), List.of()))).isNull();
    }
}
