package dev.pledge.policy.feed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pledge.policy.Policy;
import dev.pledge.policy.PolicyLoader;
import io.smallrye.mutiny.Uni;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class PolicyVersionsTest {
    final Policy policy = PolicyLoader.defaultPolicy();
    final PolicyVersions versions = new PolicyVersions(() -> Duration.ofSeconds(5));

    @Test
    void versionsAreKnownByNumberAndTheNewestIsTheHighestWhateverTheOrderTheyCameIn() {
        assertThat(versions.newest()).isZero();
        assertThat(versions.newestPolicy()).isNull();
        versions.put(2, policy);
        versions.put(1, policy);
        assertThat(versions.newest()).isEqualTo(2);
        assertThat(versions.version(1)).isSameAs(policy);
        assertThatThrownBy(() -> versions.version(3)).isInstanceOf(UnknownPolicyVersion.class)
                .hasMessage("policy version 3 is not known here (newest known: 2)");
    }

    @Test
    void workWaitingForAVersionGoesOnOnceItArrives() throws Exception {
        CompletableFuture<Policy> waiting = versions.await(4).subscribeAsCompletionStage();
        assertThat(waiting).isNotDone();

        versions.put(4, policy);

        assertThat(waiting.get()).isSameAs(policy);
        assertThat(versions.await(4).await().atMost(Duration.ofSeconds(1))).isSameAs(policy);
    }

    @Test
    void aVersionThatNeverComesFailsAfterTheTimeoutCountedFromTheFirstAsk() {
        PolicyVersions quick = new PolicyVersions(() -> Duration.ofMillis(200));
        Uni<Policy> first = quick.await(9);
        assertThatThrownBy(() -> first.await().atMost(Duration.ofSeconds(2))).isInstanceOf(UnknownPolicyVersion.class);
        // asked again later: the wait already spent counts, so it fails at once rather than waiting again
        assertThatThrownBy(() -> quick.await(9).await().atMost(Duration.ofMillis(50)))
                .isInstanceOf(UnknownPolicyVersion.class);
    }

    @Test
    void anEventWithoutAVersionFailsAtOnce() {
        assertThatThrownBy(() -> versions.await(0).await().atMost(Duration.ofMillis(50)))
                .isInstanceOf(UnknownPolicyVersion.class).hasMessageContaining("names no policy version");
    }
}
