package dev.pledge.policy.feed;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Readiness of the policy feed: DOWN until the topic was read to its end once (where the service
 * gates on it) and while the reader is failing; the data say which versions are known and why not.
 */
@Readiness
@ApplicationScoped
public class PolicyFeedHealth implements HealthCheck {
    private final PolicyFeed feed;

    public PolicyFeedHealth(PolicyFeed feed) {
        this.feed = feed;
    }

    @Override
    public HealthCheckResponse call() {
        String problem = feed.problem();
        boolean up = !feed.gatesReadiness() || (feed.caughtUp() && problem == null);
        var response = HealthCheckResponse.named("policy-feed").status(up)
                .withData("newestVersion", feed.newest())
                .withData("versionsKnown", feed.known())
                .withData("caughtUp", feed.caughtUp());
        if (problem != null) {
            response.withData("problem", problem);
        }
        return response.build();
    }
}
