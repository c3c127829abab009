package dev.pledge.bench;

import dev.pledge.events.Ids;
import dev.pledge.testinfra.TestKafka;
import dev.pledge.testinfra.TestPostgres;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * What the machine allows without Pledge in the way: intake's three statements per contact (repeat
 * lookup, contact insert, outbox insert) over plain JDBC, one contact per transaction and 100 per
 * transaction (set-based, as intake's group commit writes them), into copies of intake's tables; and a plain Kafka producer with intake's settings.
 */
final class RawLimits {
    static final String LOOKUP = "SELECT id FROM raw_contact WHERE customer_id = ? AND category = ? AND received_at >= ?"
            + " ORDER BY received_at DESC LIMIT 1";
    static final String INSERT_CONTACT = "INSERT INTO raw_contact (id, caller, request_sha256, customer_id, tier, channel,"
            + " subject, body, category, priority, status, policy_version, occurred_at, received_at, updated_at)"
            + " VALUES (?, 'bench', ?, ?, 'standard', 'email', 'Help', ?, 'delivery', 'normal', 'open', 1, ?, ?, ?)"
            + " ON CONFLICT DO NOTHING";
    static final String INSERT_OUTBOX = "INSERT INTO raw_outbox (event_id, topic, event_key, ce_type, ce_time, payload)"
            + " VALUES (?, 'contact-events', ?, 'pledge.contact.received', ?, ?)";

    /** Contacts per second through PostgreSQL with {@code perTransaction} contacts in each transaction. */
    static double postgres(String database, int clients, int perTransaction, Duration duration, String payload)
            throws Exception {
        TestPostgres pg = TestPostgres.get();
        try (Connection c = connect(pg, database); Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS raw_contact, raw_outbox");
            s.execute("CREATE TABLE raw_contact (LIKE contact INCLUDING ALL)");
            s.execute("CREATE TABLE raw_outbox (LIKE outbox INCLUDING ALL)");
        }
        AtomicLong done = new AtomicLong();
        long end = System.nanoTime() + duration.toNanos();
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < clients; t++) {
            futures.add(pool.submit(() -> {
                try (Connection c = connect(pg, database);
                        PreparedStatement lookup = c.prepareStatement(LOOKUP);
                        PreparedStatement contact = c.prepareStatement(INSERT_CONTACT);
                        PreparedStatement outbox = c.prepareStatement(INSERT_OUTBOX)) {
                    c.setAutoCommit(false);
                    while (System.nanoTime() < end) {
                        if (perTransaction == 1) {
                            oneByOne(lookup, contact, outbox, payload);
                        } else {
                            together(c, perTransaction, payload);
                        }
                        c.commit();
                        done.addAndGet(perTransaction);
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : futures) {
            f.get();
        }
        pool.shutdown();
        try (Connection c = connect(pg, database); Statement s = c.createStatement()) {
            s.execute("DROP TABLE raw_contact, raw_outbox");
        }
        return done.get() / (duration.toNanos() / 1e9);
    }

    /** One contact: the three statements row by row. */
    private static void oneByOne(PreparedStatement lookup, PreparedStatement contact, PreparedStatement outbox,
            String payload) throws Exception {
        Timestamp now = Timestamp.from(Instant.now());
        String id = Ids.next().toString();
        String customer = "cust-" + ThreadLocalRandom.current().nextInt(100_000);
        lookup.setString(1, customer);
        lookup.setString(2, "delivery");
        lookup.setTimestamp(3, Timestamp.from(Instant.now().minus(Duration.ofDays(7))));
        try (ResultSet rs = lookup.executeQuery()) {
            rs.next();
        }
        contact.setString(1, id);
        contact.setString(2, id);
        contact.setString(3, customer);
        contact.setString(4, "Where is my parcel?");
        contact.setTimestamp(5, now);
        contact.setTimestamp(6, now);
        contact.setTimestamp(7, now);
        contact.executeUpdate();
        outbox.setObject(1, Ids.next());
        outbox.setString(2, id);
        outbox.setTimestamp(3, now);
        outbox.setString(4, payload);
        outbox.executeUpdate();
    }

    /** {@code n} contacts: the same three statements set-based (arrays), as intake's group commit writes them. */
    private static void together(Connection c, int n, String payload) throws Exception {
        String[] ids = new String[n];
        String[] customers = new String[n];
        String[] eventIds = new String[n];
        String[] payloads = new String[n];
        for (int i = 0; i < n; i++) {
            ids[i] = Ids.next().toString();
            customers[i] = "cust-" + ThreadLocalRandom.current().nextInt(100_000);
            eventIds[i] = Ids.next().toString();
            payloads[i] = payload;
        }
        Timestamp now = Timestamp.from(Instant.now());
        try (PreparedStatement lookup = c.prepareStatement(LOOKUP_ALL);
                PreparedStatement contact = c.prepareStatement(INSERT_CONTACTS);
                PreparedStatement outbox = c.prepareStatement(INSERT_OUTBOXES)) {
            String[] categories = new String[n];
            Arrays.fill(categories, "delivery");
            lookup.setArray(1, c.createArrayOf("text", customers));
            lookup.setArray(2, c.createArrayOf("text", categories));
            lookup.setTimestamp(3, Timestamp.from(Instant.now().minus(Duration.ofDays(7))));
            try (ResultSet rs = lookup.executeQuery()) {
                while (rs.next()) {
                    rs.getString(1);
                }
            }
            contact.setTimestamp(1, now);
            contact.setTimestamp(2, now);
            contact.setTimestamp(3, now);
            contact.setArray(4, c.createArrayOf("text", ids));
            contact.setArray(5, c.createArrayOf("text", customers));
            contact.executeUpdate();
            outbox.setTimestamp(1, now);
            outbox.setArray(2, c.createArrayOf("uuid", eventIds));
            outbox.setArray(3, c.createArrayOf("text", ids));
            outbox.setArray(4, c.createArrayOf("text", payloads));
            outbox.executeUpdate();
        }
    }

    static final String LOOKUP_ALL = "SELECT k.customer_id, l.id FROM unnest(?::text[], ?::text[]) AS k(customer_id, category)"
            + " CROSS JOIN LATERAL (SELECT id FROM raw_contact WHERE raw_contact.customer_id = k.customer_id"
            + " AND raw_contact.category = k.category AND received_at >= ? ORDER BY received_at DESC LIMIT 1) l";
    static final String INSERT_CONTACTS = "INSERT INTO raw_contact (id, caller, request_sha256, customer_id, tier, channel,"
            + " subject, body, category, priority, status, policy_version, occurred_at, received_at, updated_at)"
            + " SELECT i, 'bench', i, c, 'standard', 'email', 'Help', 'Where is my parcel?', 'delivery', 'normal', 'open', 1,"
            + " ?, ?, ? FROM unnest(?::text[], ?::text[]) AS u(i, c) ON CONFLICT DO NOTHING";
    static final String INSERT_OUTBOXES = "INSERT INTO raw_outbox (event_id, topic, event_key, ce_type, ce_time, payload)"
            + " SELECT e, 'contact-events', k, 'pledge.contact.received', ?, p FROM unnest(?::uuid[], ?::text[], ?::text[])"
            + " WITH ORDINALITY AS u(e, k, p, n) ORDER BY n";

    /** Records per second a plain producer gets acknowledged with {@code acks=all}, idempotent, as intake's relay. */
    static double kafka(int recordBytes, Duration duration) throws Exception {
        String topic = "bench-raw-producer";
        Properties a = new Properties();
        a.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafka.get().bootstrapServers());
        try (Admin admin = Admin.create(a)) {
            if (!admin.listTopics().names().get().contains(topic)) {
                admin.createTopics(List.of(new NewTopic(topic, BenchSupport.PARTITIONS, (short) 1))).all().get();
            }
        }
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafka.get().bootstrapServers());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "2");
        String value = "x".repeat(recordBytes);
        AtomicLong acked = new AtomicLong();
        Semaphore inFlight = new Semaphore(20_000);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
            long start = System.nanoTime();
            long end = start + duration.toNanos();
            long i = 0;
            while (System.nanoTime() < end) {
                inFlight.acquire();
                producer.send(new ProducerRecord<>(topic, "k" + (i++ % 10_000), value), (m, e) -> {
                    if (e == null) {
                        acked.incrementAndGet();
                    }
                    inFlight.release();
                });
            }
            producer.flush();
            return acked.get() / ((System.nanoTime() - start) / 1e9);
        }
    }

    private static Connection connect(TestPostgres pg, String database) throws Exception {
        return DriverManager.getConnection(pg.jdbcUrl(database), pg.user(), pg.password());
    }

    private RawLimits() {
    }
}
