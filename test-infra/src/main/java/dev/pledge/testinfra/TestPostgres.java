package dev.pledge.testinfra;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashSet;
import java.util.Set;
import org.jboss.logging.Logger;
import org.testcontainers.containers.PostgreSQLContainer;

/**
 * The one PostgreSQL server of a test JVM, with a database per service. Chosen once, in order:
 * {@code PLEDGE_PG_URL} (a JDBC URL with user and password) from the environment; a
 * Testcontainers server when a Docker engine answers; else embedded PostgreSQL binaries.
 */
public final class TestPostgres {
    private static final Logger LOG = Logger.getLogger(TestPostgres.class);
    private static final String EMBEDDED = "embedded PostgreSQL binaries";
    private static TestPostgres instance;

    private final String kind;
    private final String host;
    private final int port;
    private final String user;
    private final String password;
    private final Set<String> created = new HashSet<>();

    private TestPostgres(String kind, String host, int port, String user, String password) {
        this.kind = kind;
        this.host = host;
        this.port = port;
        this.user = user;
        this.password = password;
    }

    public static synchronized TestPostgres get() {
        if (instance == null) {
            instance = choose();
            LOG.infof("PostgreSQL for tests: %s at %s:%d", instance.kind, instance.host, instance.port);
        }
        return instance;
    }

    public String jdbcUrl(String database) {
        return "jdbc:postgresql://" + host + ":" + port + "/" + database;
    }

    public String reactiveUrl(String database) {
        return "postgresql://" + host + ":" + port + "/" + database;
    }

    public String user() {
        return user;
    }

    public String password() {
        return password;
    }

    /** Creates the database once per JVM; an existing one (an external server's) is dropped first. */
    public synchronized void ensureDatabase(String database) {
        if (!database.matches("[a-z][a-z0-9_]*")) {
            throw new IllegalArgumentException("database names are lower case letters, digits and _: " + database);
        }
        if (!created.add(database)) {
            return;
        }
        try (Connection c = DriverManager.getConnection(jdbcUrl("postgres"), user, password);
                Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
            s.execute("CREATE DATABASE " + database);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create test database " + database, e);
        }
    }

    /** The first column of the first row of a query on a service's database, as a long (counts). */
    public long count(String database, String sql) {
        try (Connection c = DriverManager.getConnection(jdbcUrl(database), user, password);
                java.sql.ResultSet rs = c.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }

    /** Runs statements on a service's database, each committed on its own. */
    public void execute(String database, String... statements) {
        try (Connection c = DriverManager.getConnection(jdbcUrl(database), user, password);
                Statement s = c.createStatement()) {
            for (String sql : statements) {
                s.execute(sql);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(String.join("; ", statements), e);
        }
    }

    /** A connection to a service's database, for a test that holds a transaction open. */
    public Connection connect(String database) {
        try {
            return DriverManager.getConnection(jdbcUrl(database), user, password);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The server's port, for a {@link TcpProxy} in front of it. */
    public int port() {
        return port;
    }

    public String host() {
        return host;
    }

    /**
     * Whether this server counts its statements ({@code pg_stat_statements}): a benchmark asks with
     * {@code -Dpledge.pg.statements=true} (bench/run: {@code PLEDGE_BENCH_STATEMENTS=1}). Embedded
     * binaries only; Testcontainers and {@code PLEDGE_PG_URL} servers are left as they are.
     */
    public boolean countsStatements() {
        return kind.equals(EMBEDDED) && statementsAsked();
    }

    private static boolean statementsAsked() {
        return Boolean.getBoolean("pledge.pg.statements");
    }

    private static TestPostgres choose() {
        String external = System.getenv("PLEDGE_PG_URL");
        if (external != null && !external.isBlank()) {
            URI uri = URI.create(external.replaceFirst("^jdbc:", ""));
            String user = System.getenv().getOrDefault("PLEDGE_PG_USER", "postgres");
            String password = System.getenv().getOrDefault("PLEDGE_PG_PASSWORD", "postgres");
            return new TestPostgres("external (PLEDGE_PG_URL)", uri.getHost(), uri.getPort(), user, password);
        }
        if (TestKafka.Docker.available()) {
            PostgreSQLContainer<?> container = new PostgreSQLContainer<>("postgres:16-alpine");
            container.start();
            Runtime.getRuntime().addShutdownHook(new Thread(container::stop));
            return new TestPostgres("Testcontainers", container.getHost(), container.getFirstMappedPort(),
                    container.getUsername(), container.getPassword());
        }
        try {
            EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                    .setServerConfig("max_connections", "300")
                    // Tests need no durability; a benchmark asks for a production database's with -Dpledge.pg.fsync=on.
                    .setServerConfig("fsync", System.getProperty("pledge.pg.fsync", "off"))
                    .setServerConfig("synchronous_commit", System.getProperty("pledge.pg.fsync", "off"))
                    // PostgreSQL's default of 128 MB suits a small shared host; a production database gets far
                    // more. With 128 MB the intake bench's contact indexes outgrew it at about 400,000 contacts
                    // and its backends wrote out up to 18,000 evicted pages a second (bench/README.md).
                    // Memory is only taken as pages are used, so small test databases stay small.
                    .setServerConfig("shared_buffers", System.getProperty("pledge.pg.shared-buffers", "1GB"))
                    // PostgreSQL's default; a bench may ask for more (fewer checkpoints, fewer full-page images).
                    .setServerConfig("max_wal_size", System.getProperty("pledge.pg.max-wal-size", "1GB"))
                    // Outboxes are queues: vacuumed every 10 s instead of every minute, the dead rows at the
                    // head of one stay few (outbox migration V0_5 says more).
                    .setServerConfig("autovacuum_naptime", "10s");
            if (statementsAsked()) {
                builder.setServerConfig("shared_preload_libraries", "pg_stat_statements");
            }
            EmbeddedPostgres pg = builder.start();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    pg.close();
                } catch (IOException e) {
                    LOG.warn("embedded PostgreSQL did not stop cleanly", e);
                }
            }));
            return new TestPostgres(EMBEDDED, "localhost", pg.getPort(), "postgres", "postgres");
        } catch (IOException e) {
            throw new IllegalStateException("cannot start embedded PostgreSQL", e);
        }
    }
}
