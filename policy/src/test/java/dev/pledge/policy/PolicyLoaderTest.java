package dev.pledge.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pledge.events.Channel;
import dev.pledge.events.ContactStatus;
import dev.pledge.events.Priority;
import dev.pledge.events.SlaMetric;
import dev.pledge.events.SurveyKind;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.Test;

class PolicyLoaderTest {

    @Test
    void defaultPolicyIsValidAndCarriesTheUsualFigures() {
        Policy policy = PolicyLoader.defaultPolicy();
        assertThat(policy.slaRule(Channel.EMAIL, Priority.NORMAL, "standard", "billing").firstResponse())
                .isEqualTo(Duration.ofHours(24));
        assertThat(policy.slaRule(Channel.CHAT, Priority.NORMAL, "standard", "other").firstResponse())
                .isEqualTo(Duration.ofMinutes(2));
        assertThat(policy.slaRule(Channel.PHONE, Priority.NORMAL, "standard", "other").firstResponse())
                .isEqualTo(Duration.ofMinutes(1));
        assertThat(policy.slaRule(Channel.SOCIAL, Priority.LOW, "premium", "other").firstResponse())
                .isEqualTo(Duration.ofHours(1));
        assertThat(policy.categories()).contains("long-hold", "out-of-stock", "repeated-explanation",
                "uninterested-representative", "poor-product-or-service", "not-resolved-first-contact",
                "no-follow-up", "feature-request", "billing", "delivery", "account-access", "other");
        assertThat(policy.complaints().acknowledgeWithin()).isEqualTo(Duration.ofHours(24));
        assertThat(policy.complaints().finalResponseWithin()).isEqualTo(Duration.ofDays(30));
        assertThat(policy.sla().pauses()).containsOnlyKeys(SlaMetric.RESOLUTION);
        assertThat(policy.sla().pauses(SlaMetric.RESOLUTION, ContactStatus.PENDING)).isTrue();
        assertThat(policy.sla().pauses(SlaMetric.FIRST_RESPONSE, ContactStatus.PENDING)).as("reply clocks never pause").isFalse();
        assertThat(policy.sla().pauses(SlaMetric.NEXT_RESPONSE, ContactStatus.PENDING)).isFalse();
        assertThat(policy.sla().warningPercents()).containsExactly(50, 75, 90);
        BusinessCalendar office = policy.calendar("office");
        assertThat(office.spansOn(LocalDate.of(2026, 3, 9))).hasSize(2); // a Monday: split shift
        assertThat(office.spansOn(LocalDate.of(2026, 12, 25))).isEmpty(); // yearly holiday
        assertThat(office.hours()).doesNotContainKey(DayOfWeek.SUNDAY);
        assertThat(policy.calendar("24x7").isAlways()).isTrue();
    }

    @Test
    void firstMatchingRuleWinsAndVipComesBeforeChannel() {
        Policy policy = PolicyLoader.defaultPolicy();
        assertThat(policy.slaRule(Channel.CHAT, Priority.NORMAL, "vip", "other").name()).isEqualTo("vip");
        assertThat(policy.slaRule(Channel.CHAT, Priority.URGENT, "vip", "other").name()).isEqualTo("vip-urgent");
        assertThat(policy.slaRule(Channel.EMAIL, Priority.URGENT, "standard", "other").name()).isEqualTo("urgent");
    }

    @Test
    void classificationFillsOnlyWhatTheFrontEndLeftOut() {
        Policy policy = PolicyLoader.defaultPolicy();
        Policy.Classified byKeyword = policy.classify(Channel.EMAIL, "standard", "Refund please",
                "I was charged twice", null, null);
        assertThat(byKeyword).isEqualTo(new Policy.Classified("billing", Priority.NORMAL, "billing", "billing"));

        Policy.Classified given = policy.classify(Channel.EMAIL, "standard", "Refund", "charged twice",
                "other", Priority.LOW);
        assertThat(given.category()).isEqualTo("other");
        assertThat(given.priority()).isEqualTo(Priority.LOW);
        assertThat(given.rule()).isNull();

        Policy.Classified legal = policy.classify(Channel.WEB, "standard", "Complaint",
                "I will speak to my LAWYER", null, null);
        assertThat(legal.priority()).isEqualTo(Priority.URGENT);
        assertThat(legal.team()).isEqualTo("legal");
        assertThat(legal.category()).isEqualTo("other");

        Policy.Classified none = policy.classify(Channel.EMAIL, "standard", "Hello", "A question", null, null);
        assertThat(none).isEqualTo(new Policy.Classified("other", Priority.NORMAL, null, null));
    }

    @Test
    void jsonIsReadAsWellAsYaml() {
        JsonNode tree = PolicyLoader.parse(PolicyLoader.defaultPolicyText());
        Policy fromJson = PolicyLoader.load(PolicyLoader.toJson(tree));
        assertThat(fromJson).isEqualTo(PolicyLoader.defaultPolicy());
    }

    @Test
    void everyErrorIsReportedWithItsPath() {
        String yaml = PolicyLoader.defaultPolicyText()
                .replace("firstResponse: PT2M", "firstResponse: two minutes")
                .replace("when: { channels: [social] }", "when: { channels: [fax] }")
                .replace("calendar: office\n      firstResponse: PT24H         # 24", "calendar: offic\n      firstResponse: PT24H         # 24")
                .replace("monday: [\"08:00-20:00\"]", "monday: [\"08:00-25:00\"]")
                .replace("raiseTo: supervisor\n    - name: vip", "raiseTo: overlord\n    - name: vip")
                .replace("  warnings: [50, 75, 90]", "  warnings: [50, 75, 90]\n  warnigns: [10]");
        assertThatThrownBy(() -> PolicyLoader.load(yaml))
                .isInstanceOfSatisfying(InvalidPolicyException.class, e -> assertThat(e.errors()).extracting(PolicyError::path)
                        .containsExactlyInAnyOrder(
                                "sla.rules[3].firstResponse",
                                "sla.rules[4].when.channels[0]",
                                "sla.rules[6].calendar",
                                "calendars.contact-centre.hours.monday[0]",
                                "escalation.rules[2].raiseTo",
                                "sla.warnigns"));
    }

    @Test
    void messagesSayWhatIsExpected() {
        String yaml = PolicyLoader.defaultPolicyText().replace("firstResponse: PT2M", "firstResponse: -PT2M");
        assertThatThrownBy(() -> PolicyLoader.load(yaml)).hasMessageContaining(
                "sla.rules[3].firstResponse: must be a positive ISO-8601 duration such as PT2M, PT24H or P30D, was '-PT2M'");
    }

    @Test
    void aFallbackRuleIsRequiredAndMustComeLast() {
        String noFallback = PolicyLoader.defaultPolicyText().replace("    - name: fallback\n      calendar: office\n",
                "    - name: fallback\n      when: { channels: [phone] }\n      calendar: office\n");
        assertThatThrownBy(() -> PolicyLoader.load(noFallback)).isInstanceOfSatisfying(InvalidPolicyException.class,
                e -> assertThat(e.errors()).containsExactly(new PolicyError("sla.rules",
                        "the last rule must be a fallback with no 'when', so every contact gets a target")));

        String early = PolicyLoader.defaultPolicyText().replace("    - name: phone\n      when: { channels: [phone] }\n",
                "    - name: phone\n");
        assertThatThrownBy(() -> PolicyLoader.load(early)).isInstanceOfSatisfying(InvalidPolicyException.class,
                e -> assertThat(e.errors()).extracting(PolicyError::path).containsExactly("sla.rules[2]"));
    }

    @Test
    void missingSectionsAndBrokenDocumentsAreRefused() {
        assertThatThrownBy(() -> PolicyLoader.load("name: x\n")).isInstanceOfSatisfying(InvalidPolicyException.class,
                e -> assertThat(e.errors()).extracting(PolicyError::path).containsExactlyInAnyOrder("tiers",
                        "categories", "sla", "classification", "escalation", "complaints", "crisis", "feedback"));
        assertThatThrownBy(() -> PolicyLoader.load("name: [unclosed")).isInstanceOfSatisfying(
                InvalidPolicyException.class, e -> assertThat(e.errors()).extracting(PolicyError::path)
                        .containsExactly("$"));
        assertThatThrownBy(() -> PolicyLoader.load("- a list")).hasMessageContaining("must be a YAML or JSON object");
    }

    @Test
    void overnightAndSplitSpansParse() {
        assertThat(TimeSpan.parse("22:00-06:00")).satisfies(s -> {
            assertThat(s.overnight()).isTrue();
            assertThat(s.minutes()).isEqualTo(8 * 60);
        });
        assertThat(TimeSpan.parse("00:00-24:00").minutes()).isEqualTo(24 * 60);
        assertThat(List.of("9-17", "09:00", "09:00-09:00", "24:00-01:00")).allSatisfy(t ->
                assertThat(TimeSpan.parse(t)).isNull());
    }

    @Test
    void namesLongerThanTheColumnsThatHoldThemAreRefused() {
        String text = PolicyLoader.defaultPolicyText().replace("- name: vip-urgent", "- name: " + "r".repeat(101))
                .replace("tiers: [standard, premium, vip]", "tiers: [standard, premium, vip, " + "t".repeat(61) + "]");
        assertThatThrownBy(() -> PolicyLoader.load(text)).isInstanceOfSatisfying(InvalidPolicyException.class,
                e -> assertThat(e.errors()).extracting(PolicyError::path).contains("sla.rules[0].name", "tiers[3]"));
    }

    @Test
    void escalationRulesSayTriggerNotOnWhichYaml11ReadsAsTrue() {
        assertThat(PolicyLoader.defaultPolicy().escalation().rules()).allSatisfy(r -> assertThat(r.trigger()).isNotNull());
        String old = PolicyLoader.defaultPolicyText().replaceFirst("trigger: contact-received", "on: contact-received");
        assertThatThrownBy(() -> PolicyLoader.load(old)).isInstanceOfSatisfying(InvalidPolicyException.class,
                e -> assertThat(e.errors()).extracting(PolicyError::path).contains("escalation.rules[0].on",
                        "escalation.rules[0].trigger"));
    }

    @Test
    void aDocumentFromANewerWriterIsReadTolerantlyWithItsUnknownFieldsListed() {
        String newer = PolicyLoader.defaultPolicyText().replace("name: Default customer promise",
                "name: Default customer promise\nfutureSection: {x: 1}");
        JsonNode document = PolicyLoader.parse(newer);
        assertThatThrownBy(() -> PolicyLoader.read(document)).isInstanceOf(InvalidPolicyException.class);
        List<PolicyError> ignored = new java.util.ArrayList<>();
        assertThat(PolicyLoader.readTolerant(document, ignored).name()).isEqualTo("Default customer promise");
        assertThat(ignored).extracting(PolicyError::path).containsExactly("futureSection");
    }

    @Test
    void escalationSettingsAndRuleConditionsAreRead() {
        Policy.Escalation escalation = PolicyLoader.defaultPolicy().escalation();
        assertThat(escalation.calendar()).isEqualTo("24x7");
        assertThat(escalation.topLevelRepeats()).isEqualTo(2);
        assertThat(escalation.reEscalateAfter()).isEqualTo(Duration.ofHours(4));
        assertThat(escalation.rank("agent")).isZero();
        assertThat(escalation.rank("manager")).isEqualTo(3);
        assertThat(escalation.rank("legal")).isEqualTo(-1);
        assertThat(escalation.isSpecialist("legal")).isTrue();
        assertThat(escalation.rules()).filteredOn(r -> r.name().equals("angry-customer"))
                .singleElement().satisfies(r -> assertThat(r.negativeSentiment()).isEqualTo(4.0));
        assertThat(escalation.rules()).filteredOn(r -> r.name().equals("customer-chasing"))
                .singleElement().satisfies(r -> assertThat(r.customerReplies()).isEqualTo(3));
        assertThat(PolicyLoader.defaultPolicy().complaints().brokenPromiseCategory()).isEqualTo("no-follow-up");
    }

    @Test
    void cesIsTheAgreementScaleOfCes2WhereHigherIsBetterAndASurveyMayNameItsQuestion() {
        Policy policy = PolicyLoader.load(PolicyLoader.defaultPolicyText());
        SurveyKind ces = SurveyKind.CES;
        assertThat(ces.question()).contains("made it easy");
        assertThat(policy.feedback().targets().ces()).as("a CES target of the default policy, on a 1-7 scale where 7 is best")
                .isGreaterThan((ces.min() + ces.max()) / 2.0);
        String asked = PolicyLoader.defaultPolicyText().replace("    - kind: ces\n",
                "    - kind: ces\n      question: Was it easy to sort this out with us?\n");
        assertThat(PolicyLoader.load(asked).feedback().surveys()).filteredOn(s -> s.kind() == SurveyKind.CES)
                .extracting(Policy.Survey::question).containsExactly("Was it easy to sort this out with us?");
    }

    @Test
    void pausesArePerMetricAndTheFirstFormStillMeansEveryMetricButPromises() {
        String legacy = PolicyLoader.defaultPolicyText().replace("  pauses:\n    resolution: [pending]\n",
                "  pauseStatuses: [pending, on-hold]\n");
        Policy old = PolicyLoader.load(legacy);
        for (SlaMetric metric : List.of(SlaMetric.FIRST_RESPONSE, SlaMetric.NEXT_RESPONSE, SlaMetric.RESOLUTION)) {
            assertThat(old.sla().pauses(metric, ContactStatus.ON_HOLD)).as("%s in a stored version", metric).isTrue();
        }
        assertThat(old.sla().pauses(SlaMetric.PROMISE, ContactStatus.PENDING)).isFalse();

        String both = PolicyLoader.defaultPolicyText().replace("  pauses:\n",
                "  pauseStatuses: [pending]\n  pauses:\n");
        assertThatThrownBy(() -> PolicyLoader.load(both)).isInstanceOfSatisfying(InvalidPolicyException.class,
                e -> assertThat(e.errors()).extracting(PolicyError::path).containsExactly("sla.pauseStatuses"));

        String wrong = PolicyLoader.defaultPolicyText().replace("    resolution: [pending]\n",
                "    resolution: [resolved]\n    promise: [pending]\n    reply: [pending]\n");
        assertThatThrownBy(() -> PolicyLoader.load(wrong)).isInstanceOfSatisfying(InvalidPolicyException.class,
                e -> assertThat(e.errors()).extracting(PolicyError::path).containsExactlyInAnyOrder(
                        "sla.pauses.resolution[0]", "sla.pauses.promise", "sla.pauses.reply"));
    }

    @Test
    void aBrokenPromiseCategoryMustBeAComplaintCategory() {
        String text = PolicyLoader.defaultPolicyText().replace("brokenPromiseCategory: no-follow-up",
                "brokenPromiseCategory: delivery");
        assertThatThrownBy(() -> PolicyLoader.load(text)).isInstanceOfSatisfying(InvalidPolicyException.class,
                e -> assertThat(e.errors()).extracting(PolicyError::path).containsExactly("complaints.brokenPromiseCategory"));
    }

    @Test
    void aRuleConditionOnATriggerItCannotApplyToIsRefusedWithItsPath() {
        String text = PolicyLoader.defaultPolicyText().replace("      trigger: sla-breached\n      metrics: [promise]\n",
                "      trigger: sla-breached\n      keywords: [late]\n      customerReplies: 2\n      metrics: [promise, soon]\n");
        assertThatThrownBy(() -> PolicyLoader.load(text)).isInstanceOfSatisfying(InvalidPolicyException.class,
                e -> assertThat(e.errors()).extracting(PolicyError::path).containsExactlyInAnyOrder(
                        "escalation.rules[11].keywords", "escalation.rules[11].customerReplies",
                        "escalation.rules[11].metrics[1]"));
        String badCalendar = PolicyLoader.defaultPolicyText().replace("  calendar: 24x7\n  topLevelRepeats: 2",
                "  calendar: nights\n  topLevelRepeats: 99");
        assertThatThrownBy(() -> PolicyLoader.load(badCalendar)).isInstanceOfSatisfying(InvalidPolicyException.class,
                e -> assertThat(e.errors()).extracting(PolicyError::path).containsExactlyInAnyOrder(
                        "escalation.calendar", "escalation.topLevelRepeats"));
    }
}
