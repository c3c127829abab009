package dev.pledge.bench;

import dev.pledge.events.Channel;
import dev.pledge.events.CloudEventHeaders;
import dev.pledge.events.ContactEvent;
import dev.pledge.events.EventJson;
import dev.pledge.events.Ids;
import dev.pledge.events.PledgeEvent;
import dev.pledge.events.Priority;
import dev.pledge.events.SlaEvent;
import dev.pledge.events.SlaMetric;
import dev.pledge.events.Topics;
import dev.pledge.testinfra.ServiceProcess;
import dev.pledge.testinfra.TestKafka;
import dev.pledge.testinfra.TestPostgres;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Escalation decision latency: events are written at {@code --rate} per second (open loop: on a
 * schedule, whatever the service does) to contact-events and sla-events, as intake and sla-service
 * write them. Per contact: a {@code contact.received} (one in five carries a legal threat: raised to
 * legal at once), and about a second later an {@code sla.breached} of its first response (raised to a
 * supervisor, or the legal escalation raised further). Every decision names the {@code ce_id} it was
 * taken on ({@code triggerEventId}); its latency is from the triggering record's timestamp to the
 * escalation record's. {@code --warmup-seconds} of the same load go first, unmeasured, and flow into
 * the measured seconds without a pause, through the same producer and reader. The default of 120 s
 * measures the service as it runs for days: under this load on two shared cores its JIT compiles the
 * hot path for about 90 s after the start, and a window inside those seconds had 10–20 slow seconds
 * that set the p99 (bench/README.md; {@code --warmup-seconds 45} shows them).
 * {@code --fsync on} (the default) runs PostgreSQL as production does; {@code off} as the tests do.
 */
public final class EscalationBench {
    static final String DATABASE = "escalation_bench";
    private static final Pattern TRIGGER = Pattern.compile("\"triggerEventId\":\"([^\"]+)\"");

    public static void main(String[] args) throws Exception {
        int rate = BenchSupport.intArg(args, "--rate", 1000);
        // consumers in the one service instance, each taking its share of the partitions
        int concurrency = BenchSupport.intArg(args, "--concurrency", 1);
        int seconds = BenchSupport.intArg(args, "--seconds", 30);
        int warmupSeconds = BenchSupport.intArg(args, "--warmup-seconds", 120);
        Path root = BenchSupport.root();
        String fsync = BenchSupport.fsync(args);
        Path out = BenchSupport.out(args, "escalation", fsync);
        BenchSupport.createTopics();
        TestPostgres.get().ensureDatabase(DATABASE);
        try (ServiceProcess service = ServiceProcess.start(root.resolve("escalation-service/target/quarkus-app/quarkus-run.jar"),
                DATABASE, Map.of("MP_MESSAGING_INCOMING_EVENTS_CONCURRENCY", String.valueOf(concurrency)),
                BenchSupport.SERVICE_JVM)) {
            BenchSupport.awaitOwnership(service);
            AutoCloseable scraper = BenchSupport.scrapeEvery(service, Duration.ofSeconds(10));
            AtomicReference<Map<String, Double>> before = new AtomicReference<>();
            Run measured = run(UUID.randomUUID().toString().substring(0, 8) + "-", rate, warmupSeconds, seconds, () -> {
                BenchSupport.log("warmed up for %d s at %,d events/s", warmupSeconds, rate);
                before.set(BenchSupport.metrics(service));
                BenchSupport.resetStatements(DATABASE);
            });
            Map<String, Double> after = BenchSupport.metrics(service);
            scraper.close();
            Result result = new Result(Instant.now(), fsync, rate, warmupSeconds, seconds, measured.written(), measured.achievedRate(),
                    measured.triggers(), measured.latency().size(), BenchSupport.Stats.of(measured.latency()),
                    Runtime.getRuntime().availableProcessors(), BenchSupport.SERVICE_JVM, concurrency);
            System.out.printf(Locale.ROOT, "%nescalation-service: decision latency, %,d events/s offered for %d s after %d s of warm-up, %d cores, fsync %s%n",
                    rate, seconds, warmupSeconds, result.cores(), fsync);
            System.out.printf(Locale.ROOT, "  written %,d events (%.0f/s); %,d decisions expected, %,d seen;"
                    + " latency (ms) median %d, p99 %d, max %d%n", result.events(), result.writtenPerSecond(),
                    result.decisionsExpected(), result.decisionsSeen(), result.latency().medianMs(),
                    result.latency().p99Ms(), result.latency().maxMs());
            printSlowSeconds(measured);
            BenchSupport.printStages(before.get(), after);
            BenchSupport.printStatements(DATABASE);
            Files.createDirectories(out.getParent());
            Files.writeString(out, EventJson.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(result) + "\n");
            BenchSupport.log("written %s", out);
        }
        System.exit(0);
    }

    /** One measured run; latency in milliseconds, from record timestamp to record timestamp. */
    record Result(Instant at, String fsync, int offeredPerSecond, int warmupSeconds, int seconds, long events, double writtenPerSecond,
            int decisionsExpected, int decisionsSeen, BenchSupport.Stats latency, int cores, List<String> serviceJvm,
            int concurrency) {
    }

    /** Latencies in ms, and the trigger's send time (epoch ms) of each, in the same order. */
    private record Run(long written, double achievedRate, int triggers, List<Long> latency, List<Long> sent) {
    }

    /**
     * When the slow decisions were: for each second of the run (by the trigger's send time) with a
     * decision over 100 ms, its slowest decision and how many were over. A stall shows as a few
     * seconds, a service that cannot keep up as many.
     */
    private static void printSlowSeconds(Run run) {
        long first = run.sent().stream().mapToLong(Long::longValue).min().orElse(0);
        Map<Long, long[]> bySecond = new java.util.TreeMap<>();
        for (int i = 0; i < run.latency().size(); i++) {
            long ms = run.latency().get(i);
            if (ms > 100) {
                long[] s = bySecond.computeIfAbsent((run.sent().get(i) - first) / 1000, k -> new long[2]);
                s[0] = Math.max(s[0], ms);
                s[1]++;
            }
        }
        StringBuilder line = new StringBuilder();
        bySecond.forEach((second, s) -> line.append(String.format(Locale.ROOT, " %ds:%d/%d", second, s[0], s[1])));
        System.out.printf(Locale.ROOT, "  seconds with decisions over 100 ms (second: slowest ms/how many; second 0 began %s): %s%n",
                Instant.ofEpochMilli(first - first % 1000), line.length() == 0 ? " none" : line);
    }

    /** What happens between the warm-up and the measured seconds (the generator waits for it). */
    private interface Boundary {
        void run() throws Exception;
    }

    /**
     * Writes the warm-up's events (prefix {@code w}, not measured) and then the measured ones (prefix
     * {@code m}) on one schedule, and waits for the measured decisions.
     */
    private static Run run(String id, int rate, int warmupSeconds, int seconds, Boundary boundary) throws Exception {
        Map<String, Long> triggers = new ConcurrentHashMap<>();
        List<Long> latency = new ArrayList<>();
        List<Long> sent = new ArrayList<>();
        AtomicBoolean writing = new AtomicBoolean(true);
        java.util.concurrent.CountDownLatch positioned = new java.util.concurrent.CountDownLatch(1);
        Thread reader = new Thread(() -> read(triggers, "w" + id, latency, sent, writing, positioned), "bench-reader");
        reader.start();
        if (!positioned.await(60, java.util.concurrent.TimeUnit.SECONDS)) {
            throw new IllegalStateException("the reader of escalation-events got no partitions");
        }
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafka.get().bootstrapServers());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "1");
        Written measured;
        long start;
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
            if (warmupSeconds > 0) {
                write(producer, "w" + id, rate, warmupSeconds, null);
            }
            boundary.run();
            start = System.nanoTime();
            measured = write(producer, "m" + id, rate, seconds, triggers);
            producer.flush();
        }
        long written = measured.events();
        int expected = measured.triggers();
        double achieved = written / ((System.nanoTime() - start) / 1e9);
        BenchSupport.log("wrote %,d events at %.0f/s; waiting for %,d decisions", written, achieved, expected);
        long giveUp = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (latencySize(latency) < expected && System.nanoTime() < giveUp) {
            Thread.sleep(200);
        }
        writing.set(false);
        reader.join();
        synchronized (latency) {
            return new Run(written, achieved, expected, new ArrayList<>(latency), new ArrayList<>(sent));
        }
    }

    private record Written(long events, int triggers) {
    }

    /** {@code seconds} of events on schedule; the sends of triggers are recorded in {@code triggers} (if not null). */
    private static Written write(KafkaProducer<String, String> producer, String prefix, int rate, int seconds,
            Map<String, Long> triggers) throws InterruptedException {
        long written = 0;
        int expected = 0;
        long start = System.nanoTime();
        int contacts = rate * seconds / 2;
        int lag = Math.max(1, rate / 2); // the breach comes about a second after its contact
        for (int i = 0; i < contacts + lag; i++) {
            long due = start + (long) (i * 2L * 1e9 / rate);
            long wait = due - System.nanoTime();
            if (wait > 0) {
                Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
            }
            Instant now = Instant.now();
            if (i < contacts) {
                boolean threat = i % 5 == 0;
                String id = prefix + i;
                send(producer, new ContactEvent.Received(id, null, new ContactEvent.Customer("cust-" + (i % 5000),
                        null, null, null, "standard"), Channel.EMAIL, "Order " + i, threat
                                ? "My lawyer will hear of this." : "Where is my parcel? It was due on Tuesday.",
                        "delivery", Priority.NORMAL, null, now, now, null, null, 1), threat ? triggers : null);
                written++;
                expected += threat ? 1 : 0;
            }
            if (i >= lag) {
                String id = prefix + (i - lag);
                send(producer, new SlaEvent.Breached(id, SlaMetric.FIRST_RESPONSE, Duration.ofMinutes(2), now, now, 1),
                        triggers);
                written++;
                expected++;
            }
        }
        return new Written(written, expected);
    }

    private static int latencySize(List<Long> latency) {
        synchronized (latency) {
            return latency.size();
        }
    }

    private static void send(KafkaProducer<String, String> producer, PledgeEvent event, Map<String, Long> triggers) {
        String eventId = Ids.next().toString(); // as the services make them
        ProducerRecord<String, String> record = new ProducerRecord<>(event.type().topic(), event.key(), EventJson.toJson(event));
        CloudEventHeaders.of(eventId, event.type(), "/pledge/bench", Instant.now(), event.key())
                .forEach((k, v) -> record.headers().add(k, v.getBytes(StandardCharsets.UTF_8)));
        producer.send(record, (metadata, error) -> {
            if (error == null && triggers != null) {
                triggers.put(eventId, metadata.timestamp());
            }
        });
    }

    /** Reads escalation-events; each decision is matched to its trigger by {@code triggerEventId}. */
    private static void read(Map<String, Long> triggers, String unmeasured, List<Long> latency, List<Long> sentAt,
            AtomicBoolean running,
            java.util.concurrent.CountDownLatch positioned) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafka.get().bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "bench-" + UUID.randomUUID());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        // Latency comes from the records' timestamps, not from when they are read: fetch in large,
        // unhurried batches so that the measuring reader costs the broker (and the shared cores) little.
        p.put(ConsumerConfig.FETCH_MIN_BYTES_CONFIG, "1000000");
        p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "200");
        List<ConsumerRecord<String, String>> unmatched = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(Topics.ESCALATION_EVENTS));
            while (consumer.assignment().isEmpty()) {
                consumer.poll(Duration.ofMillis(100));
            }
            consumer.assignment().forEach(consumer::position); // fixes "latest" before anything is written
            positioned.countDown();
            while (running.get()) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    if (!r.value().contains(unmeasured)) { // the warm-up's decisions are not measured
                        unmatched.add(r);
                    }
                }
                // a trigger's timestamp arrives with its send callback, possibly after its decision was read
                unmatched.removeIf(r -> {
                    Matcher m = TRIGGER.matcher(r.value());
                    if (!m.find()) {
                        return true;
                    }
                    Long sent = triggers.remove(m.group(1));
                    if (sent == null) {
                        return false;
                    }
                    synchronized (latency) {
                        latency.add(r.timestamp() - sent);
                        sentAt.add(sent);
                    }
                    return true;
                });
                if (unmatched.size() > 100_000) {
                    unmatched.subList(0, 50_000).clear(); // decisions of another run
                }
            }
        }
    }

    private EscalationBench() {
    }
}
