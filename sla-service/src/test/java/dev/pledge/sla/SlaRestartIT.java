package dev.pledge.sla;

import static dev.pledge.sla.SlaTestSupport.count;
import static dev.pledge.sla.SlaTestSupport.has;
import static dev.pledge.sla.SlaTestSupport.newContactId;
import static dev.pledge.sla.SlaTestSupport.received;
import static dev.pledge.sla.SlaTestSupport.send;
import static dev.pledge.sla.SlaTestSupport.slaEvents;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.pledge.events.Channel;
import dev.pledge.events.EventJson;
import dev.pledge.events.SlaEvent;
import dev.pledge.events.Topics;
import dev.pledge.testinfra.ServiceProcess;
import dev.pledge.testinfra.TopicReader;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Timers survive a killed service, and two instances share the partitions with every timer firing once. */
class SlaRestartIT {

    @Test
    void timerThatCameDueWhileTheServiceWasKilledFiresOnceRightAfterRestart() throws Exception {
        SlaTestSupport.publishTestPolicy();
        String id = newContactId();
        Instant deadline;
        try (ServiceProcess first = ServiceProcess.start(SlaTestSupport.DATABASE, Map.of())) {
            SlaTestSupport.awaitMembersWithPartitions(1);
            send(received(id, Channel.SMS, Instant.now())); // first response within 15 s
            List<TopicReader.Record> started = slaEvents(id, has("pledge.sla.started", "first-response"),
                    Duration.ofSeconds(30), Duration.ZERO);
            deadline = EventJson.fromJson(started.get(0).value(), SlaEvent.Started.class).deadline();
            first.kill(); // SIGKILL: no shutdown hook, no leaving the consumer group
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> Instant.now().isAfter(deadline.plusSeconds(2)));

        try (ServiceProcess second = ServiceProcess.start(SlaTestSupport.DATABASE, Map.of())) {
            Instant ready = Instant.now();
            List<TopicReader.Record> events = slaEvents(id, has("pledge.sla.breached", "first-response"),
                    Duration.ofSeconds(30), Duration.ofSeconds(5));
            assertThat(count(events, "pledge.sla.breached", "first-response")).isEqualTo(1);
            assertThat(count(events, "pledge.sla.warning", "first-response"))
                    .as("warnings made moot by the breach are not sent late").isZero();
            SlaEvent.Breached breach = events.stream().filter(r -> "pledge.sla.breached".equals(r.header("ce_type")))
                    .map(r -> EventJson.fromJson(r.value(), SlaEvent.Breached.class)).findFirst().orElseThrow();
            assertThat(breach.deadline()).isEqualTo(deadline);
            assertThat(Duration.between(ready, breach.at())).as("breach emitted right after the restart")
                    .isLessThan(Duration.ofSeconds(5));
        }
    }

    @Test
    void twoInstancesSplitThePartitionsAndEveryTimerFiresOnce() throws Exception {
        SlaTestSupport.publishTestPolicy();
        try (ServiceProcess a = ServiceProcess.start(SlaTestSupport.DATABASE, Map.of());
                ServiceProcess b = ServiceProcess.start(SlaTestSupport.DATABASE, Map.of())) {
            SlaTestSupport.awaitMembersWithPartitions(2);

            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                ids.add(newContactId());
            }
            // 12 s to the breach, warnings at 6 s and 9 s: two instances that just started arm well before the first
            // warning even on a loaded machine (a warning already made moot by the breach is rightly never sent)
            Instant now = Instant.now();
            send(ids.stream().map(id -> received(id, Channel.SOCIAL, now)).toArray(dev.pledge.events.ContactEvent[]::new));

            try (TopicReader reader = new TopicReader(Topics.SLA_EVENTS)) {
                reader.readUntil(rs -> ids.stream().allMatch(id -> count(SlaTestSupport.of(rs, id),
                        "pledge.sla.breached", "first-response") > 0), Duration.ofSeconds(60));
                List<TopicReader.Record> all = reader.readFor(Duration.ofSeconds(5));
                for (String id : ids) {
                    List<TopicReader.Record> mine = SlaTestSupport.of(all, id);
                    assertThat(count(mine, "pledge.sla.started", "first-response")).as(id).isEqualTo(1);
                    assertThat(count(mine, "pledge.sla.warning", "first-response")).as(id).isEqualTo(2);
                    assertThat(count(mine, "pledge.sla.breached", "first-response")).as(id).isEqualTo(1);
                }
            }
        }
    }

    @Test
    void anInvalidSettingStopsTheStartAndNamesTheKey() throws Exception {
        assertThatThrownBy(() -> ServiceProcess.start(SlaTestSupport.DATABASE, Map.of("PLEDGE_TIMERS_FIRE_BATCH", "0")))
                .hasMessageContaining("exited during start-up");
        java.nio.file.Path log;
        try (var logs = java.nio.file.Files.list(java.nio.file.Path.of("target"))) {
            log = logs.filter(f -> f.getFileName().toString().matches("sla-service-\\d+\\.log"))
                    .max(java.util.Comparator.comparingLong(f -> f.toFile().lastModified())).orElseThrow();
        }
        assertThat(java.nio.file.Files.readString(log)).contains("pledge.timers.fire-batch");
    }
}
