package dev.pledge.escalation.service;

import dev.pledge.escalation.EscalationContact;
import dev.pledge.escalation.repository.DeadlineStore;
import dev.pledge.timers.TimerEngine;
import dev.pledge.timers.TimerPartitions;
import dev.pledge.timers.TimersConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Collection;

/**
 * Deadlines (acknowledgement, re-escalation, complaint) on the shared timer engine: one timer per
 * contact, due at the earliest of them ({@code esc_contact.next_fire_at}); {@link DeadlineStore} reads
 * and fires it. Partitions come from the consumer group of the {@code events} channel.
 */
@ApplicationScoped
public class EscalationClock {
    private final TimerEngine<String> engine;

    public EscalationClock(DeadlineStore store, TimersConfig config, MeterRegistry metrics,
            @Identifier(TimerPartitions.NAME) TimerPartitions partitions) {
        this.engine = new TimerEngine<>("escalation", store, config, metrics);
        partitions.register(engine);
    }

    void start(@Observes StartupEvent event) {
        engine.start();
    }

    void stop(@Observes ShutdownEvent event) throws InterruptedException {
        engine.stop();
    }

    /** After a commit: contacts whose next deadline moved. */
    public void schedule(Collection<EscalationContact> moved) {
        engine.schedule(moved.stream().map(DeadlineStore::due).toList());
    }
}
