package dev.pledge.outbox;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Says whether the relay keeps up: the age of the oldest unpublished row, rows parked, and
 * {@code stuck} once that age passes {@code pledge.outbox.stuck-after}. The status stays UP: a stuck
 * relay (the broker away) is exactly when the outbox must keep accepting work, which a DOWN readiness
 * would stop by taking the instance out of service. Alert on {@code stuck} or on the metric
 * {@code pledge_outbox_oldest_unpublished_seconds} instead (see decision 008).
 */
@Readiness
@ApplicationScoped
public class OutboxHealth implements HealthCheck {
    private final OutboxRelay relay;
    private final OutboxConfig config;

    public OutboxHealth(OutboxRelay relay, OutboxConfig config) {
        this.relay = relay;
        this.config = config;
    }

    @Override
    public HealthCheckResponse call() {
        double age = relay.oldestUnpublishedSeconds();
        return HealthCheckResponse.named("outbox").up()
                .withData("oldestUnpublishedSeconds", Math.round(age))
                .withData("parked", relay.parked())
                .withData("stuck", age > config.stuckAfter().toSeconds())
                .build();
    }
}
