package dev.pledge.bench;

import dev.pledge.events.Channel;
import dev.pledge.events.CloudEventHeaders;
import dev.pledge.events.ContactEvent;
import dev.pledge.events.EventJson;
import dev.pledge.events.Priority;
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
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Contact received to SLA timer armed: {@code --contacts} {@code contact.received} events are written
 * to contact-events as fast as the producer goes, and for each the time from its record timestamp to
 * the record timestamp of its {@code sla.started} (first response) is taken. Also: how many contacts
 * per second sla-service arms, from the first event written to the last timer armed. Contacts go
 * first for {@code --warmup-seconds}, unmeasured, 10,000 at a time, so that the figures are of compiled
 * code: on 2 cores the JIT compiles the service's hot path for over a minute after its start (a JFR
 * of a run warmed with 30,000 contacts, about 25 s, had C2 compiling for 9 s of the 12 s measured).
 */
public final class SlaArmedBench {
    static final String DATABASE = "sla_armed_bench";

    public static void main(String[] args) throws Exception {
        int contacts = BenchSupport.intArg(args, "--contacts", 20_000);
        int warmupSeconds = BenchSupport.intArg(args, "--warmup-seconds", 120);
        // consumers in the one service instance, each taking its share of contact-events' partitions
        int concurrency = BenchSupport.intArg(args, "--concurrency", 1);
        Path root = BenchSupport.root();
        Path out = Path.of(BenchSupport.stringArg(args, "--out", root.resolve("bench/results/sla-armed.json").toString()));
        BenchSupport.createTopics();
        TestPostgres.get().ensureDatabase(DATABASE);
        try (ServiceProcess sla = ServiceProcess.start(root.resolve("sla-service/target/quarkus-app/quarkus-run.jar"),
                DATABASE, Map.of(), jvm(concurrency))) {
            BenchSupport.awaitOwnership(sla);
            int warmup = 0;
            long warmUntil = System.nanoTime() + Duration.ofSeconds(warmupSeconds).toNanos();
            while (System.nanoTime() < warmUntil) {
                String warm = "w" + UUID.randomUUID().toString().substring(0, 8) + "-";
                Map<TopicPartition, Long> marks = endOffsets();
                Map<String, Long> written = write(warm, 10_000);
                readStarted(marks, warm, written, new ArrayList<>(), new long[1]);
                warmup += written.size();
            }
            BenchSupport.log("warmed up for %d s with %,d contacts", warmupSeconds, warmup);
            Map<String, Double> before = BenchSupport.metrics(sla);
            Duration cpuBefore = BenchSupport.cpu(sla);
            BenchSupport.resetStatements(DATABASE);
            String run = "a" + UUID.randomUUID().toString().substring(0, 8) + "-";
            Map<TopicPartition, Long> marks = endOffsets();
            Map<String, Long> written = write(run, contacts);
            List<Long> latency = new ArrayList<>();
            long[] lastArmed = {0};
            readStarted(marks, run, written, latency, lastArmed);
            double cpuMsPerThousand = (BenchSupport.cpu(sla).minus(cpuBefore).toNanos() / 1e6) * 1000 / Math.max(1, latency.size());
            Map<String, Double> after = BenchSupport.metrics(sla);
            double busyPerSecond = BenchSupport.busyRate(before, after, latency.size());
            long first = written.values().stream().mapToLong(Long::longValue).min().orElse(0);
            double perSecond = latency.isEmpty() ? 0 : latency.size() * 1000.0 / Math.max(1, lastArmed[0] - first);
            Result result = new Result(Instant.now(), warmupSeconds, warmup, contacts, latency.size(), BenchSupport.Stats.of(latency), perSecond,
                    busyPerSecond, cpuMsPerThousand,
                    Runtime.getRuntime().availableProcessors(), jvm(concurrency), concurrency);
            System.out.printf(Locale.ROOT, "%nsla-service: contact received to SLA timer armed, %,d contacts, %d cores, %d consumer(s)%n",
                    contacts, result.cores(), concurrency);
            System.out.printf(Locale.ROOT, "  armed %,d; latency (ms) median %d, p99 %d, max %d; %.0f contacts armed per second%n",
                    result.armed(), result.latency().medianMs(), result.latency().p99Ms(), result.latency().maxMs(),
                    perSecond);
            System.out.printf(Locale.ROOT, "  %.0f contacts per second of the consumer's transactions; sla-service's CPU %.0f ms per 1,000 contacts%n",
                    busyPerSecond, cpuMsPerThousand);
            BenchSupport.printStages(before, after);
            BenchSupport.printStatements(DATABASE);
            Files.createDirectories(out.getParent());
            Files.writeString(out, EventJson.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(result) + "\n");
            BenchSupport.log("written %s", out);
        }
        System.exit(0);
    }

    /** ./pledge up's options (and PLEDGE_BENCH_JVM), with {@code concurrency} consumers of contact-events. */
    private static List<String> jvm(int concurrency) {
        List<String> options = new ArrayList<>(BenchSupport.SERVICE_JVM);
        options.add("-Dmp.messaging.incoming.contact-events.concurrency=" + concurrency);
        return options;
    }

    /** What one run measured; latency in milliseconds, from record timestamp to record timestamp. */
    record Result(Instant at, int warmupSeconds, int warmupContacts, int contacts, int armed, BenchSupport.Stats latency, double armedPerSecond,
            double busyPerSecond, double cpuMsPerThousand, int cores,
            List<String> serviceJvm, int concurrency) {
    }

    /** Writes the contacts as intake's relay would; returns each one's record timestamp. */
    private static Map<String, Long> write(String prefix, int count) throws Exception {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafka.get().bootstrapServers());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "2");
        Map<String, Long> timestamps = new ConcurrentHashMap<>();
        Channel[] channels = Channel.values();
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
            for (int i = 0; i < count; i++) {
                String id = prefix + i;
                Instant now = Instant.now();
                ContactEvent.Received e = new ContactEvent.Received(id, null, new ContactEvent.Customer("cust-" + (i % 5000),
                        null, null, null, i % 10 == 0 ? "vip" : "standard"), channels[i % channels.length], "Help",
                        "Where is my parcel?", "delivery", Priority.NORMAL, null, now, now, null, null, 1);
                ProducerRecord<String, String> record = new ProducerRecord<>(Topics.CONTACT_EVENTS, id, EventJson.toJson(e));
                CloudEventHeaders.of(UUID.randomUUID().toString(), e.type(), "/pledge/bench", now, id)
                        .forEach((k, v) -> record.headers().add(k, v.getBytes(StandardCharsets.UTF_8)));
                producer.send(record, (metadata, error) -> {
                    if (error == null) {
                        timestamps.put(id, metadata.timestamp());
                    }
                });
            }
            producer.flush();
        }
        BenchSupport.log("wrote %,d contact.received events", timestamps.size());
        return timestamps;
    }

    /** Where sla-events ends now: the reader starts there, so it reads only what the next contacts cause. */
    private static Map<TopicPartition, Long> endOffsets() {
        try (KafkaConsumer<String, String> consumer = consumer()) {
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.SLA_EVENTS).stream()
                    .map(info -> new TopicPartition(info.topic(), info.partition())).toList();
            return consumer.endOffsets(partitions);
        }
    }

    private static KafkaConsumer<String, String> consumer() {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafka.get().bootstrapServers());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        return new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer());
    }

    private static void readStarted(Map<TopicPartition, Long> from, String prefix, Map<String, Long> written, List<Long> latency,
            long[] lastArmed) {
        java.util.Set<String> armed = new java.util.HashSet<>();
        Instant giveUp = Instant.now().plus(Duration.ofMinutes(10));
        try (KafkaConsumer<String, String> consumer = consumer()) {
            consumer.assign(from.keySet());
            from.forEach(consumer::seek);
            while (armed.size() < written.size() && Instant.now().isBefore(giveUp)) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                    Header type = r.headers().lastHeader(CloudEventHeaders.TYPE);
                    if (r.key() == null || !r.key().startsWith(prefix) || type == null
                            || !"pledge.sla.started".equals(new String(type.value(), StandardCharsets.UTF_8))
                            || !r.value().contains("\"first-response\"") || !armed.add(r.key())) {
                        continue;
                    }
                    latency.add(r.timestamp() - written.get(r.key()));
                    lastArmed[0] = Math.max(lastArmed[0], r.timestamp());
                }
            }
        }
    }

    private SlaArmedBench() {
    }
}
