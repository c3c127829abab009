package dev.pledge.sla.service;

import dev.pledge.sla.SlaTimer;
import dev.pledge.sla.repository.TimerStore;
import dev.pledge.timers.TimerEngine;
import dev.pledge.timers.TimerPartitions;
import dev.pledge.timers.TimersConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.common.annotation.Identifier;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Collection;

/**
 * SLA timers on the shared timer engine ({@link TimerEngine}): {@link TimerStore} reads and fires the
 * {@code sla_timer} table; the engine decides when. Partitions come from the contact-events group.
 */
@ApplicationScoped
public class TimerClock {
    private final TimerEngine<SlaTimer.Key> engine;

    public TimerClock(TimerStore store, TimersConfig config, MeterRegistry metrics,
            @Identifier(TimerPartitions.NAME) TimerPartitions partitions) {
        this.engine = new TimerEngine<>("sla", store, config, metrics);
        partitions.register(engine);
    }

    void start(@Observes StartupEvent event) {
        engine.start();
    }

    void stop(@Observes ShutdownEvent event) throws InterruptedException {
        engine.stop();
    }

    /** After a commit: timers whose next firing moved. */
    public void schedule(Collection<SlaTimer> changed) {
        engine.schedule(changed.stream().map(TimerStore::due).toList());
    }
}
