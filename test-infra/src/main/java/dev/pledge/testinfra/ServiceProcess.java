package dev.pledge.testinfra;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;

/**
 * A service run as its own JVM from its built jar ({@code target/quarkus-app/quarkus-run.jar}),
 * pointed at the test JVM's Kafka and PostgreSQL: for tests that kill a service, restart it, or run
 * two instances. {@link #kill()} is a SIGKILL: no shutdown hook runs, nothing is flushed.
 */
public final class ServiceProcess implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ServiceProcess.class);
    private static final AtomicInteger COUNT = new AtomicInteger();

    /** Quarkus's start line: "... started in 1.2s. Listening on: http://0.0.0.0:41234. Management interface listening on http://0.0.0.0:39876." */
    private static final Pattern LISTENING = Pattern.compile(
            "Listening on: https?://[^ ]*:(\\d+)\\. Management interface listening on https?://[^ ]*:(\\d+)");

    private final String name;
    private final Process process;
    private final File log;
    private volatile int httpPort;
    private volatile int managementPort;

    private ServiceProcess(String name, Process process, File log) {
        this.name = name;
        this.process = process;
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
            Path target = jar.toAbsolutePath().getParent().getParent();
            String name = target.getParent().getFileName() + "-" + COUNT.incrementAndGet();
            File log = target.resolve(name + ".log").toFile();
            List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.addAll(jvmOptions);
            command.addAll(List.of("-jar", jar.toString()));
            ProcessBuilder pb = new ProcessBuilder(command);
            Map<String, String> e = pb.environment();
            // Port 0: the kernel picks free ports as the service binds them, and the service logs which. (A port
            // found free here and bound seconds later by the child can be taken meanwhile, as the local port of an
            // outgoing connection: the child's own, made earlier in its start-up, or the test JVM's.)
            e.put("QUARKUS_HTTP_PORT", "0");
            e.put("QUARKUS_MANAGEMENT_PORT", "0");
            e.put("QUARKUS_DATASOURCE_REACTIVE_URL", pg.reactiveUrl(database));
            e.put("QUARKUS_DATASOURCE_JDBC_URL", pg.jdbcUrl(database));
            e.put("QUARKUS_DATASOURCE_USERNAME", pg.user());
            e.put("QUARKUS_DATASOURCE_PASSWORD", pg.password());
            e.put("KAFKA_BOOTSTRAP_SERVERS", TestKafka.get().bootstrapServers());
            e.put("MP_JWT_VERIFY_PUBLICKEY", TestTokens.publicKeyBase64());
            e.put("MP_JWT_VERIFY_ISSUER", TestTokens.ISSUER);
            e.putAll(env);
            pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.to(log));
            Process process = pb.start();
            // It ends with this JVM, however that ends: a test run or a bench stopped with Ctrl-C left its services
            // running, holding ports and CPU, since try-with-resources closes nothing on a signal.
            Runtime.getRuntime().addShutdownHook(new Thread(process::destroyForcibly, name + "-stop"));
            ServiceProcess service = new ServiceProcess(name, process, log);
            service.awaitReady(Duration.ofSeconds(90));
            LOG.infof("%s ready on port %d, management %d (log %s)", name, service.httpPort, service.managementPort, log);
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
        long end = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < end) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited during start-up with code " + process.exitValue()
                        + "; the end of " + log + ":\n" + tail(40));
            }
            try {
                if (managementPort == 0) {
                    readPorts();
                }
                if (managementPort != 0 && http.send(HttpRequest.newBuilder(URI.create(managementUrl() + "/q/health/ready"))
                        .build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not started or not listening yet
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
        throw new IllegalStateException(name + " not ready within " + timeout + "; the end of " + log + ":\n" + tail(40));
    }

    private void readPorts() throws IOException {
        Matcher m = LISTENING.matcher(Files.readString(log.toPath(), StandardCharsets.ISO_8859_1));
        if (m.find()) {
            httpPort = Integer.parseInt(m.group(1));
            managementPort = Integer.parseInt(m.group(2));
        }
    }

    /** The last lines of the service's log, so that a failure report shows why (CI keeps no target/ folder). */
    private String tail(int lines) {
        try {
            // Decoded leniently: a stray byte must not hide the lines around it.
            List<String> all = new String(Files.readAllBytes(log.toPath()), StandardCharsets.UTF_8).lines().toList();
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(cannot read the log: " + e + ")";
        }
    }
}
