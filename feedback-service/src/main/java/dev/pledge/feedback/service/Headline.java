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
    private final AtomicReference<KpiFigures.Group> latest = new AtomicReference<>();

    public Headline(Kpis kpis, MeterRegistry metrics) {
        this.kpis = kpis;
        gauge("pledge.kpi.sla.compliance.percent", metrics, g -> g.slaCompliance().percent());
        gauge("pledge.kpi.fcr.percent", metrics, g -> g.fcr().percent());
        gauge("pledge.kpi.reopen.percent", metrics, g -> g.reopenRate().percent());
        gauge("pledge.kpi.escalation.percent", metrics, g -> g.escalationRate().percent());
        gauge("pledge.kpi.csat.percent", metrics, g -> g.csat().value());
        gauge("pledge.kpi.nps", metrics, g -> g.nps().value());
        gauge("pledge.kpi.ces", metrics, g -> g.ces().value());
        gauge("pledge.kpi.contacts", metrics, g -> (double) g.contacts());
    }

    private void gauge(String name, MeterRegistry metrics, Function<KpiFigures.Group, Double> value) {
        Gauge.builder(name, latest, ref -> {
            KpiFigures.Group g = ref.get();
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
