package dev.pledge.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LeftoversTest {
    @TempDir
    Path data;

    @Test
    void aServiceLeftByAKilledLauncherIsStoppedAndAProcessThatReusedAPidIsNot() throws Exception {
        // a service as the launcher starts it: its command line names quarkus-run.jar
        Process service = new ProcessBuilder("sh", "-c", "sleep 300; true", Leftovers.SERVICE_MARK).start();
        // a pid in the file that now belongs to something else
        Process other = new ProcessBuilder("sleep", "300").start();
        try {
            Leftovers.record(data, Map.of("sla-service", service.pid(), "intake-service", other.pid()));
            Files.writeString(data.resolve("pids"), "garbage line\nfeedback-service 999999999\n",
                    java.nio.file.StandardOpenOption.APPEND);

            Leftovers.stop(data);

            assertThat(service.waitFor(5, TimeUnit.SECONDS)).as("the leftover service stopped").isTrue();
            assertThat(other.isAlive()).as("a process that is not a service is left alone").isTrue();
        } finally {
            service.destroyForcibly();
            other.destroyForcibly();
        }
    }

    @Test
    void nothingRecordedNothingStopped() throws Exception {
        Leftovers.stop(data);
        Leftovers.stop(data.resolve("never-created"));
    }
}
