package dev.pledge.intake.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pledge.events.Channel;
import dev.pledge.events.ContactStatus;
import dev.pledge.events.PolicyPublished;
import dev.pledge.events.Priority;
import dev.pledge.intake.Contact;
import dev.pledge.intake.rest.NewContact;
import dev.pledge.policy.PolicyLoader;
import dev.pledge.web.ProblemException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.Test;

/** {@link ContactService#prepare}: checks and classification by the policy in force, before any write. */
class ContactServicePrepareTest {
    final ContactService service;

    ContactServicePrepareTest() {
        PolicyService policies = new PolicyService(null, null, null);
        policies.apply(new PolicyPublished(3, "tester", Instant.parse("2026-12-01T00:00:00Z"), "sha",
                PolicyLoader.parse(PolicyLoader.defaultPolicyText())));
        service = new ContactService(null, null, policies, null);
    }

    static NewContact contact(String tier, String subject, String body, String category, Priority priority,
            Instant occurredAt) {
        return new NewContact(new NewContact.Customer("cust-1", "Ada", "ada@example.com", null, tier), Channel.EMAIL,
                subject, body, occurredAt, category, priority, "ext-1");
    }

    @Test
    void aNewContactIsClassifiedByTheRulesOfTheVersionInForce() {
        Instant before = Instant.now();
        ContactService.Prepared p = service.prepare(contact(null, "Refund", "I was charged twice", null, null, null),
                "key-1", "front-end");
        Contact c = p.contact();

        assertThat(c.tier).isEqualTo("standard"); // none given: the policy's first tier
        assertThat(c.category).isEqualTo("billing");
        assertThat(c.team).isEqualTo("billing");
        assertThat(c.priority).isEqualTo(Priority.NORMAL); // the rule sets none: the default
        assertThat(c.classifiedBy).isEqualTo("billing");
        assertThat(c.policyVersion).isEqualTo(3);
        assertThat(c.status).isEqualTo(ContactStatus.OPEN);
        assertThat(c.caller).isEqualTo("front-end");
        assertThat(c.idempotencyKey).isEqualTo("key-1");
        assertThat(c.occurredAt).isEqualTo(c.receivedAt).isAfterOrEqualTo(before.truncatedTo(ChronoUnit.MICROS));
        assertThat(p.repeatSince()).isEqualTo(c.receivedAt.minus(Duration.ofDays(7))); // the policy's repeat window
    }

    @Test
    void whatTheFrontEndSaysWinsOverTheRulesAndTimesKeepMicroseconds() {
        Instant at = Instant.parse("2026-12-01T08:00:00.123456789Z");
        Contact c = service.prepare(contact("vip", "Lawyer", "my lawyer will call", "delivery", Priority.LOW, at), null,
                "front-end").contact();

        assertThat(c.tier).isEqualTo("vip");
        assertThat(c.category).isEqualTo("delivery");
        assertThat(c.priority).isEqualTo(Priority.LOW);
        assertThat(c.occurredAt).isEqualTo(Instant.parse("2026-12-01T08:00:00.123456Z"));
    }

    @Test
    void theSameRequestHashesAlikeAndAnotherOtherwise() {
        String first = service.prepare(contact(null, "a", "b", null, null, null), null, "x").contact().requestSha256;
        String again = service.prepare(contact(null, "a", "b", null, null, null), null, "x").contact().requestSha256;
        String other = service.prepare(contact(null, "a", "c", null, null, null), null, "x").contact().requestSha256;
        assertThat(again).isEqualTo(first);
        assertThat(other).isNotEqualTo(first);
    }

    @Test
    void anUnknownTierOrCategoryOrAFutureTimeIsRefusedNamingTheField() {
        assertThatThrownBy(() -> service.prepare(contact("gold", null, "b", null, null, null), null, "x"))
                .isInstanceOfSatisfying(ProblemException.class, e -> assertThat(e.problem().errors())
                        .extracting(error -> error.field()).containsExactly("customer.tier"));
        assertThatThrownBy(() -> service.prepare(contact(null, null, "b", "weather", null, null), null, "x"))
                .isInstanceOfSatisfying(ProblemException.class, e -> assertThat(e.problem().errors())
                        .extracting(error -> error.field()).containsExactly("category"));
        assertThatThrownBy(() -> service.prepare(contact(null, null, "b", null, null, Instant.now().plus(Duration.ofHours(1))),
                null, "x")).isInstanceOfSatisfying(ProblemException.class, e -> assertThat(e.problem().errors())
                        .extracting(error -> error.field()).containsExactly("occurredAt"));
    }
}
