package dev.pledge.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ConnectException;
import java.util.concurrent.CompletionException;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.junit.jupiter.api.Test;

/** What a failure means decides between retrying (an outage) and setting a record aside (its own fault). */
class FailuresTest {

    /** Shaped like the reactive client's PgException: the SQL state under getSqlState. */
    static final class PgLike extends RuntimeException {
        private final String state;

        PgLike(String state) {
            super("ERROR: something (" + state + ")");
            this.state = state;
        }

        public String getSqlState() {
            return state;
        }
    }

    @Test
    void anOutageIsTransient() {
        assertThat(Failures.isTransient(new CompletionException(new ConnectException("Connection refused")))).isTrue();
        assertThat(Failures.isTransient(new PgLike("08006"))).isTrue(); // connection failure
        assertThat(Failures.isTransient(new PgLike("57P01"))).isTrue(); // admin shutdown
        assertThat(Failures.isTransient(new PgLike("40P01"))).isTrue(); // deadlock: try again
        assertThat(Failures.isTransient(new RuntimeException(new NotLeaderOrFollowerException("moving")))).isTrue();
    }

    @Test
    void aRecordsOwnFaultIsNot() {
        assertThat(Failures.isTransient(new PgLike("22001"))).isFalse(); // value too long for its column
        assertThat(Failures.isTransient(new PgLike("23502"))).isFalse(); // not-null violation
        assertThat(Failures.isTransient(new NullPointerException())).isFalse();
        assertThat(Failures.isTransient(new IllegalStateException("policy version 99 is not known here"))).isFalse();
        assertThat(Failures.isTransient(new RecordTooLargeException("too large"))).isFalse();
    }

    @Test
    void theRootMessageNamesTheInnermostCause() {
        assertThat(Failures.rootMessage(new RuntimeException(new ConnectException("Connection refused"))))
                .isEqualTo("ConnectException: Connection refused");
    }
}
