package dev.pledge.policy.feed;

import dev.pledge.events.PolicyPublished;
import dev.pledge.policy.Policy;

/** A CDI event, fired once per version the feed reads from the topic for the first time. */
public record PolicyReceived(PolicyPublished published, Policy policy) {
}
