package dev.pledge.events;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/**
 * A policy version, on the compacted {@link Topics#SERVICE_POLICY} topic keyed by its
 * version ({@link Topics#policyKey}). {@code document} is the whole validated policy as JSON; read it with
 * {@code dev.pledge.policy.PolicyLoader}.
 */
public record PolicyPublished(int version, String publishedBy, Instant at, String sha256, JsonNode document)
        implements PledgeEvent {
    @Override
    public String key() {
        return Topics.policyKey(version);
    }
}
