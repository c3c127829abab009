package dev.pledge.testinfra;

import io.smallrye.reactive.messaging.kafka.companion.test.EmbeddedKafkaBroker;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.jboss.logging.Logger;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.kafka.KafkaContainer;

/**
 * The one Kafka broker of a test JVM. Chosen once, in order: {@code KAFKA_BOOTSTRAP_SERVERS} from
 * the environment; a Testcontainers broker when a Docker engine answers; else an embedded KRaft
 * broker in this JVM. Tests that simulate an outage call {@link #stop()} and {@link #start()}.
 */
public final class TestKafka {
    private static final Logger LOG = Logger.getLogger(TestKafka.class);
    private static TestKafka instance;

    /** The user and password the embedded broker's SASL listener knows (mechanism PLAIN). */
    public static final String SASL_USER = "pledge";
    public static final String SASL_PASSWORD = "pledge-test-secret";

    private final String kind;
    private final String bootstrapServers;
    private final String saslBootstrapServers;
    private final EmbeddedKafkaBroker embedded;
    private final KafkaContainer container;

    private TestKafka(String kind, String bootstrapServers, String saslBootstrapServers, EmbeddedKafkaBroker embedded,
            KafkaContainer container) {
        this.kind = kind;
        this.bootstrapServers = bootstrapServers;
        this.saslBootstrapServers = saslBootstrapServers;
        this.embedded = embedded;
        this.container = container;
    }

    public static synchronized TestKafka get() {
        if (instance == null) {
            instance = choose();
            LOG.infof("Kafka for tests: %s at %s", instance.kind, instance.bootstrapServers);
        }
        return instance;
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    /**
     * A second listener of the same broker that requires SASL/PLAIN ({@link #SASL_USER}), for tests that
     * a service's {@code kafka.*} security settings reach every client it makes; null when the broker
     * is not the embedded one.
     */
    public String saslBootstrapServers() {
        return saslBootstrapServers;
    }

    /** Whether this broker can be stopped and started again by a test (not an external one). */
    public boolean canStop() {
        return embedded != null || container != null;
    }

    /** Makes the broker unreachable: an embedded broker shuts down, a container is paused. */
    public synchronized void stop() {
        if (embedded != null) {
            embedded.close();
        } else if (container != null) {
            container.getDockerClient().pauseContainerCmd(container.getContainerId()).exec();
        } else {
            throw new UnsupportedOperationException("an external broker cannot be stopped by a test");
        }
        LOG.infof("Kafka for tests stopped (%s)", kind);
    }

    /** Brings the broker back on the same address with the same data. */
    public synchronized void start() {
        if (embedded != null) {
            embedded.start();
        } else if (container != null) {
            container.getDockerClient().unpauseContainerCmd(container.getContainerId()).exec();
        }
        LOG.infof("Kafka for tests started again (%s)", kind);
    }

    private static TestKafka choose() {
        String external = System.getenv("KAFKA_BOOTSTRAP_SERVERS");
        if (external != null && !external.isBlank()) {
            return new TestKafka("external (KAFKA_BOOTSTRAP_SERVERS)", external, null, null, null);
        }
        if (Docker.available()) {
            KafkaContainer container = new KafkaContainer("apache/kafka:4.0.0")
                    .withEnv("KAFKA_NUM_PARTITIONS", "3");
            container.start();
            Runtime.getRuntime().addShutdownHook(new Thread(container::stop));
            return new TestKafka("Testcontainers", container.getBootstrapServers(), null, null, container);
        }
        try {
            Path logs = Files.createTempDirectory("pledge-test-kafka");
            int port = freePort();
            int saslPort = freePort();
            // Fixed ports and log dir so that stop() and start() bring back the same broker.
            EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker()
                    .withNodeId(1)
                    .withKafkaPort(port)
                    .withControllerPort(freePort())
                    .withClusterId("pledge-test-cluster-0001")
                    .withDeleteLogDirsOnClose(false)
                    .withAdvertisedListeners(
                            EmbeddedKafkaBroker.endpoint(SecurityProtocol.PLAINTEXT, "localhost", port),
                            EmbeddedKafkaBroker.endpoint("SASL", SecurityProtocol.SASL_PLAINTEXT, "localhost", saslPort))
                    .withAdditionalProperties(p -> {
                        p.put("log.dirs", logs.toString());
                        p.put("num.partitions", "3");
                        p.put("auto.create.topics.enable", "true");
                        // the second listener (withAdvertisedListeners above) takes SASL/PLAIN
                        p.put("listener.name.sasl.sasl.enabled.mechanisms", "PLAIN");
                        p.put("listener.name.sasl.plain.sasl.jaas.config",
                                "org.apache.kafka.common.security.plain.PlainLoginModule required user_" + SASL_USER
                                        + "=\"" + SASL_PASSWORD + "\";");
                    })
                    .start();
            Runtime.getRuntime().addShutdownHook(new Thread(broker::close));
            return new TestKafka("embedded KRaft broker", "localhost:" + port, "localhost:" + saslPort, broker, null);
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the embedded Kafka broker", e);
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        }
    }

    /**
     * Asked once. Testcontainers is asked only when an engine may be there (DOCKER_HOST or the
     * usual socket), because its probe logs errors with stack traces when there is none.
     */
    static final class Docker {
        private static Boolean available;

        static synchronized boolean available() {
            if (available == null) {
                boolean maybe = System.getenv("DOCKER_HOST") != null
                        || java.nio.file.Files.exists(java.nio.file.Path.of("/var/run/docker.sock"))
                        || java.nio.file.Files.exists(java.nio.file.Path.of(System.getProperty("user.home"), ".docker", "run", "docker.sock"));
                try {
                    available = maybe && DockerClientFactory.instance().isDockerAvailable();
                } catch (Throwable t) {
                    available = false;
                }
                LOG.infof("Docker engine for Testcontainers: %s", available ? "available" : "none");
            }
            return available;
        }
    }
}
