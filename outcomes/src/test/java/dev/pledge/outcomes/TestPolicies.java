package dev.pledge.outcomes;

import dev.pledge.policy.Policy;
import dev.pledge.policy.PolicyLoader;

/** Policies for the tests here: the default policy with another {@code sla:} section and a UTC weekday calendar. */
final class TestPolicies {

    private TestPolicies() {
    }

    /**
     * The default policy with {@code sla} (indented as under {@code sla:}) in place of its own, and a calendar
     * {@code weekdays} in UTC with these {@code hours} (indented as under {@code hours:}).
     */
    static Policy withSla(String sla, String hours) {
        return PolicyLoader.load(PolicyLoader.defaultPolicyText()
                .replaceFirst("(?s)\nsla:\n.*?\nclassification:\n", "\nsla:\n" + sla + "\nclassification:\n")
                .replaceFirst("\ncalendars:\n", "\ncalendars:\n  weekdays:\n    timeZone: UTC\n    hours:\n" + hours));
    }
}
