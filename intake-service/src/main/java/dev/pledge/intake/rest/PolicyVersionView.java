package dev.pledge.intake.rest;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonRawValue;
import dev.pledge.intake.PolicyVersion;
import dev.pledge.intake.repository.PolicyVersionRepository;
import java.time.Instant;

/** A version; {@code document} is the policy as JSON, {@code source} the text as it was sent. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PolicyVersionView(int version, Instant publishedAt, String publishedBy, String sha256,
        @JsonRawValue String document, String source) {

    static PolicyVersionView of(PolicyVersion v, boolean full) {
        return new PolicyVersionView(v.version, v.publishedAt, v.publishedBy, v.sha256, full ? v.document : null,
                full ? v.source : null);
    }

    static PolicyVersionView of(PolicyVersionRepository.Summary v) {
        return new PolicyVersionView(v.version(), v.publishedAt(), v.publishedBy(), v.sha256(), null, null);
    }
}
