package dev.pledge.testinfra;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.logging.Logger;

/**
 * A service run as its own JVM from its built jar ({@code target/quarkus-app/quarkus-run.jar}),
 * pointed at the test JVM's Kafka and PostgreSQL: for tests that kill a service, restart it, or run
 * two instances. {@link #kill()} is a SIGKILL: no shutdown hook runs, nothing is flushed.
 */
public final class ServiceProcess implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ServiceProcess.class);
    private static final AtomicInteger COUNT = new AtomicInteger();

    private final String name;
    private final Process process;
    private final int httpPort;
    private final int managementPort;
    private final File log;

    private ServiceProcess(String name, Process process, int httpPort, int managementPort, File log) {
        this.name = name;
        this.process = process;
        this.httpPort = httpPort;
        this.managementPort = managementPort;
        this.log = log;
    }

    /** Starts the module's jar (the test's working directory is the module) and waits until it is ready. */
    public static ServiceProcess start(String database, Map<String, String> env) {
        return start(Path.of("target/quarkus-app/quarkus-run.jar"), database, env);
    }

    /** Starts a service jar; its log goes to the jar's module {@code target/} folder. */
    public static ServiceProcess start(Path jar, String database, Map<String, String> env) {
        return start(jar, database, env, List.of("-Xmx256m", "-XX:+UseSerialGC"));
    }

    /** Starts a service jar with these JVM options (a benchmark gives those of ./pledge up). */
    public static ServiceProcess start(Path jar, String database, Map<String, String> env, List<String> jvmOptions) {
        if (!Files.exists(jar)) {
            throw new IllegalStateException(jar.toAbsolutePath() + " is missing: *IT tests run after 'package'");
        }
        TestPostgres pg = TestPostgres.get();
        pg.ensureDatabase(database);
        try {
            int http = TestKafka.freePort();
            int management = TestKafka.freePort();
            Path target = jar.toAbsolutePath().getParent().getParent();
            String name = target.getParent().getFileName() + "-" + COUNT.incrementAndGet();
            File log = target.resolve(name + ".log").toFile();
            List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.addAll(jvmOptions);
            command.addAll(List.of("-jar", jar.toString()));
            ProcessBuilder pb = new ProcessBuilder(command);
            Map<String, String> e = pb.environment();
            e.put("QUARKUS_HTTP_PORT", String.valueOf(http));
            e.put("QUARKUS_MANAGEMENT_PORT", String.valueOf(management));
            e.put("QUARKUS_DATASOURCE_REACTIVE_URL", pg.reactiveUrl(database));
            e.put("QUARKUS_DATASOURCE_JDBC_URL", pg.jdbcUrl(database));
            e.put("QUARKUS_DATASOURCE_USERNAME", pg.user());
            e.put("QUARKUS_DATASOURCE_PASSWORD", pg.password());
            e.put("KAFKA_BOOTSTRAP_SERVERS", TestKafka.get().bootstrapServers());
            e.put("MP_JWT_VERIFY_PUBLICKEY", TestTokens.publicKeyBase64());
            e.put("MP_JWT_VERIFY_ISSUER", TestTokens.ISSUER);
            e.putAll(env);
            pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.to(log));
            ServiceProcess service = new ServiceProcess(name, pb.start(), http, management, log);
            service.awaitReady(Duration.ofSeconds(90));
            LOG.infof("%s ready on port %d (log %s)", name, http, log);
            return service;
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the service", e);
        }
    }

    public String url() {
        return "http://localhost:" + httpPort;
    }

    public String managementUrl() {
        return "http://localhost:" + managementPort;
    }

    public Path log() {
        return log.toPath();
    }

    public long pid() {
        return process.pid();
    }

    /** SIGKILL, and wait until the process is gone. */
    public void kill() {
        process.destroyForcibly();
        waitFor();
        LOG.infof("%s killed", name);
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroy();
            waitFor();
        }
    }

    private void waitFor() {
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void awaitReady(Duration timeout) {
        HttpClient http = HttpClient.newHttpClient();
        URI ready = URI.create(managementUrl() + "/q/health/ready");
        long end = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < end) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited during start-up; see " + log);
            }
            try {
                if (http.send(HttpRequest.newBuilder(ready).build(), HttpResponse.BodyHandlers.discarding())
                        .statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        close();
        throw new IllegalStateException(name + " not ready within " + timeout + "; see " + log);
    }
}
