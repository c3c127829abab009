package dev.pledge.local;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * What a launcher stopped by {@code kill -9} (or a terminal closed under it) leaves running: its
 * services and PostgreSQL, which hold the ports and the data folder the next {@code ./pledge up} needs.
 * Without this, the next {@code up} found the old services answering its health checks, said it was
 * up, and its own services had exited on busy ports.
 *
 * <p>The services' pids are kept in {@code .pledge/pids}, PostgreSQL's in its own
 * {@code postmaster.pid}. A pid is stopped only while it still runs what it was started as (a
 * service's {@code quarkus-run.jar}, {@code postgres}), never a process that reused the number.
 */
final class Leftovers {
    private static final Logger LOG = Logger.getLogger(Leftovers.class);
    static final String SERVICE_MARK = "quarkus-run.jar";

    /** Writes the running services' pids, by name. */
    static void record(Path data, Map<String, Long> pids) throws IOException {
        StringBuilder b = new StringBuilder();
        pids.forEach((name, pid) -> b.append(name).append(' ').append(pid).append('\n'));
        Files.writeString(data.resolve("pids"), b);
    }

    /** Stops the services of an earlier launcher first (they hold database connections), then its PostgreSQL. */
    static void stop(Path data) throws IOException {
        Path pids = data.resolve("pids");
        List<ProcessHandle> left = new ArrayList<>();
        if (Files.exists(pids)) {
            for (String line : Files.readAllLines(pids)) {
                String[] f = line.split(" ");
                if (f.length == 2 && f[1].matches("\\d+")) {
                    ProcessHandle.of(Long.parseLong(f[1]))
                            .filter(h -> h.info().commandLine().orElse("").contains(SERVICE_MARK))
                            .ifPresent(h -> {
                                LOG.warnf("stopping %s (pid %d), left running by a launcher that did not stop cleanly",
                                        f[0], h.pid());
                                left.add(h);
                            });
                }
            }
        }
        stop(left, Duration.ofSeconds(20));
        Path postmaster = data.resolve("postgres").resolve("postmaster.pid");
        if (Files.exists(postmaster)) {
            List<String> lines = Files.readAllLines(postmaster);
            if (!lines.isEmpty() && lines.get(0).strip().matches("\\d+")) {
                ProcessHandle.of(Long.parseLong(lines.get(0).strip()))
                        .filter(h -> h.info().command().orElse("").endsWith("postgres"))
                        .ifPresent(h -> {
                            LOG.warnf("stopping PostgreSQL (pid %d), left running by a launcher that did not stop cleanly",
                                    h.pid());
                            stop(List.of(h), Duration.ofSeconds(30));
                        });
            }
        }
    }

    /** Asks the processes to stop (SIGTERM: services flush, PostgreSQL shuts down), waits, then kills what still runs. */
    static void stop(List<ProcessHandle> handles, Duration grace) {
        handles.forEach(ProcessHandle::destroy);
        long deadline = System.nanoTime() + grace.toNanos();
        for (ProcessHandle h : handles) {
            try {
                h.onExit().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (Exception e) {
                LOG.warnf("pid %d did not stop within %s; killing it", h.pid(), grace);
                h.destroyForcibly();
            }
        }
    }

    private Leftovers() {
    }
}
