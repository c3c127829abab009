package dev.pledge.feedback.service;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.jboss.logging.Logger;

/**
 * The headline KPIs over the last 30 days as Prometheus gauges ({@code pledge_kpi_*}), recomputed every
 * {@code pledge.feedback.headline-every}; NaN until there is something to count.
 */
@ApplicationScoped
public class Headline {
    private static final Logger LOG = Logger.getLogger(Headline.class);
    private final Kpis kpis;
    private final AtomicReference<Kpis.Group> latest = new AtomicReference<>();

    public Headline(Kpis kpis, MeterRegistry metrics) {
        this.kpis = kpis;
        gauge(metrics, "pledge.kpi.sla.compliance.percent", g -> g.slaCompliance().percent());
        gauge(metrics, "pledge.kpi.fcr.percent", g -> g.fcr().percent());
        gauge(metrics, "pledge.kpi.reopen.percent", g -> g.reopenRate().percent());
        gauge(metrics, "pledge.kpi.escalation.percent", g -> g.escalationRate().percent());
        gauge(metrics, "pledge.kpi.csat.percent", g -> g.csat().value());
        gauge(metrics, "pledge.kpi.nps", g -> g.nps().value());
        gauge(metrics, "pledge.kpi.ces", g -> g.ces().value());
        gauge(metrics, "pledge.kpi.contacts", g -> (double) g.contacts());
    }

    private void gauge(MeterRegistry metrics, String name, Function<Kpis.Group, Double> value) {
        Gauge.builder(name, latest, ref -> {
            Kpis.Group g = ref.get();
            Double v = g == null ? null : value.apply(g);
            return v == null ? Double.NaN : v;
        }).description("over contacts received in the last 30 days").register(metrics);
    }

    @Scheduled(every = "${pledge.feedback.headline-every:60s}", delayed = "10s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    Uni<Void> refresh() {
        Instant now = Instant.now();
        return kpis.report(now.minus(Dashboard.HEADLINE_PERIOD), now, "none")
                .invoke(r -> latest.set(r.groups().isEmpty() ? null : r.groups().get(0)))
                .onFailure().invoke(e -> LOG.warnf("headline KPIs not refreshed: %s", e.getMessage()))
                .onFailure().recoverWithNull()
                .replaceWithVoid();
    }
}
