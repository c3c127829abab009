package dev.pledge.bench;

import static dev.pledge.bench.BenchSupport.log;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pledge.events.EventJson;
import dev.pledge.events.Topics;
import dev.pledge.testinfra.ServiceProcess;
import dev.pledge.testinfra.TestKafka;
import dev.pledge.testinfra.TestTokens;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.PriorityBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * The whole system as {@code ./pledge up} runs it (issue 31): the four services with its JVM options, the
 * embedded broker and PostgreSQL (fsync on), and an open-loop load ({@link OpenLoad}) of what front ends,
 * agents and customers send, every request with its own {@code Idempotency-Key} (random UUIDs, as front ends
 * make them; {@code --keys off} leaves them out). Of every 20 contacts: 12 answered by an agent 2 s later and
 * resolved 8 s after arriving; 2 answered, given a promise due 20 s later (one kept at once) and resolved; 2
 * chased by the customer, then answered and resolved; 1 answered and put on pending; 3 left alone (their timers
 * warn and breach, and escalate). 1 in 10 carries a legal threat (escalated at once). Half the resolved are
 * surveyed 5 s later and the bench answers each survey as its customer; it acknowledges every escalation 5 s
 * after it is raised, as a supervisor would. The bench policy's targets are
 * seconds, so every timer a contact arms fires within a step.
 *
 * <p>A ladder of contact rates, each held {@code --lead-seconds} (until the timers armed at its start fire)
 * and then measured for {@code --measure-seconds}, in two halves. A step holds when intake's p99 (every request,
 * from its intended send) is at most 100 ms and it answered 95 % of what was offered, nothing failed, in each
 * half every consumer's transactions whose oldest record was over 2 s old at commit are at most 1 % (its
 * p99 event age at most 2 s, and not growing), and at most 1 % of timer firings were over 1 s late. For each
 * step: per-process CPU milliseconds per contact (each service; PostgreSQL's processes; the broker, which is
 * this JVM less the load generator's threads), PostgreSQL's by database ("postgresql stack_sla": a service's
 * backends) and its background processes, and of all that, what the five JVMs' JIT compilers took ("of which JIT").
 */
public final class StackBench {
    static final List<String> SERVICES = List.of("intake-service", "sla-service", "escalation-service",
            "feedback-service");
    static final List<String> CONSUMERS = SERVICES.subList(1, 4);
    /** PLEDGE_BENCH_STATEMENTS=1: the extension lives here; it counts every database's statements, each step's shown. */
    private static final String STATEMENTS_DATABASE = "stack_intake";
    private static final ObjectMapper JSON = EventJson.mapper();
    /** Follow-ups (activities) per contact in the mix: 39 in 20 contacts. */
    static final double FOLLOW_UPS_PER_CONTACT = 39 / 20.0;

    private static final String SLA = """
            sla:
              warnings: [50, 75, 90]
              pauses:
                resolution: [pending]
              rules:
                - name: bench-vip
                  when: { tiers: [vip] }
                  firstResponse: PT10S
                  nextResponse: PT20S
                  resolution: PT40S
                - name: bench-chat
                  when: { channels: [chat, social] }
                  firstResponse: PT15S
                  nextResponse: PT20S
                  resolution: PT40S
                - name: bench-fallback
                  firstResponse: PT20S
                  nextResponse: PT30S
                  resolution: PT40S
            """;
    private static final String FEEDBACK = """
            feedback:
              fatigueWindow: PT1S
              surveys:
                - kind: csat
                  after: resolved
                  delay: PT5S
                  expiresAfter: PT1H
                  sampling: 0.5
            """;
    private static final String[] CHANNELS = {"email", "email", "chat", "chat", "phone", "social", "web", "sms"};
    private static final String[] BODIES = {
        "My parcel was due on Tuesday and the tracking has not moved since.",
        "I was charged twice for order 4471, please refund the second payment.",
        "I am locked out of my account and the password reset email never arrives.",
        "The blue kettle has been out of stock for weeks. When is it back in stock?",
        "Do you deliver to the Isle of Wight?",
        "Could you send me a copy of my last invoice?",
        "The blender arrived broken. Poor quality, frankly.",
        "Unless this is sorted I will cancel my subscription and take my business elsewhere.",
        "You promised to call me back on Monday and nobody did.",
        "If this is not fixed this week my lawyer will be in touch about legal action."}; // the tenth: escalated

    private final Map<String, ServiceProcess> services = new LinkedHashMap<>();
    private final boolean keyed;
    private final String intakeToken = "Bearer " + TestTokens.forSubject("bench", TestTokens.AUDIENCE, "intake");
    private final String agentToken = "Bearer " + TestTokens.forSubject("agent-7", TestTokens.AUDIENCE, "agent");
    /** Follow-ups of accepted contacts, by when they are due; sent in place of a new contact when one is due. */
    private final PriorityBlockingQueue<FollowUp> due = new PriorityBlockingQueue<>();
    private final AtomicLong contacts = new AtomicLong();
    private final AtomicLong sequence = new AtomicLong();
    private final Map<String, String> refusals = new java.util.concurrent.ConcurrentHashMap<>();

    /** An activity to send at {@code at} (System.nanoTime). */
    private record FollowUp(long at, String contactId, String body, String token) implements Comparable<FollowUp> {
        @Override
        public int compareTo(FollowUp o) {
            return Long.compare(at, o.at);
        }
    }

    private StackBench(boolean keyed) {
        this.keyed = keyed;
    }

    public static void main(String[] args) throws Exception {
        String fsync = BenchSupport.fsync(args);
        boolean keyed = !"off".equals(BenchSupport.stringArg(args, "--keys", "on"));
        double[] rates = Arrays.stream(BenchSupport.stringArg(args, "--rates", "25,50,75,100,150,200,300,400,600,800,1000,1500,2000")
                .split(",")).mapToDouble(Double::parseDouble).toArray();
        Result result = new StackBench(keyed).run(rates, BenchSupport.intArg(args, "--lead-seconds", 45),
                BenchSupport.intArg(args, "--measure-seconds", 40), BenchSupport.intArg(args, "--warmup-seconds", 120),
                BenchSupport.intArg(args, "--connections", 512), args.length > 0 && Arrays.asList(args).contains("--keep-going"),
                fsync);
        Path out = BenchSupport.out(args, "stack", fsync);
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(result) + "\n");
        List<OpenLoad.Step> byContactRate = result.steps().stream().map(Step::contacts).toList();
        Path svg = Path.of(out.toString().replaceAll("\\.json$", "") + ".svg");
        Files.writeString(svg, Charts.latencyByRate(String.format(Locale.ROOT, "The whole stack, %d cores: POST /contacts"
                + " latency by contact rate (and %.2f activities a contact)", result.cores(), FOLLOW_UPS_PER_CONTACT),
                byContactRate, 100,
                Map.of("held", result.highestHeld())).replace("offered rate (requests/s)", "offered rate (contacts/s)"));
        log("written %s and %s", out, svg);
        System.exit(0);
    }

    /** What one run measured. */
    record Result(Instant at, String fsync, int cores, boolean keyed, List<String> jvm, double highestHeld,
            List<Step> steps) {
    }

    /**
     * One step. {@code cpuMsPerContact}: each process's CPU in the measured window over the contacts accepted in it.
     * {@code consumers}: per service, the share of its transactions with an event older than 2 s at commit in each
     * half, mean age (ms), lag at the end; {@code timers}: per service and engine, firings and the share over 1 s late;
     * {@code relays}: per service, its outbox relay's transactions a second and events a transaction.
     */
    record Step(double offered, double contactsPerSecond, boolean held, List<String> why, OpenLoad.Step contacts,
            OpenLoad.Step activities,
            Map<String, Double> cpuMsPerContact, Map<String, Map<String, Object>> consumers,
            Map<String, Map<String, Object>> timers, long surveysAnswered, long surveysFailed,
            Map<String, Map<String, Double>> notApplied, Map<String, Double> recordsPerContact,
            Map<String, Map<String, Double>> relays) {
    }

    private Result run(double[] rates, int leadSeconds, int measureSeconds, int warmupSeconds, int connections,
            boolean keepGoing, String fsync) throws Exception {
        BenchSupport.createTopics();
        for (String name : SERVICES) {
            services.put(name, ServiceProcess.start(BenchSupport.root().resolve(name + "/target/quarkus-app/quarkus-run.jar"),
                    "stack_" + name.replace("-service", ""), name.equals("feedback-service")
                            // the customers answer from many addresses; the bench, from one
                            ? Map.of("PLEDGE_FEEDBACK_TOKEN_KEY", BenchSupport.FEEDBACK_TOKEN_KEY,
                                    "PLEDGE_FEEDBACK_ANSWERS_PER_MINUTE", "100000000") : Map.of(),
                    BenchSupport.SERVICE_JVM));
        }
        for (String name : CONSUMERS) {
            BenchSupport.awaitOwnership(services.get(name));
        }
        publishPolicy();
        List<AutoCloseable> scrapers = new ArrayList<>();
        for (ServiceProcess s : services.values()) {
            scrapers.add(BenchSupport.scrapeEvery(s, Duration.ofSeconds(10)));
        }
        List<Step> steps = new ArrayList<>();
        double held = 0;
        boolean allHeld = true;
        try (OpenLoad load = new OpenLoad(services.get("intake-service").url(), connections);
                OpenLoad followUps = new OpenLoad(services.get("intake-service").url(), connections);
                People people = new People(services.get("feedback-service").url(),
                        services.get("escalation-service").url())) {
            // Five JVMs share 2 cores: each compiles its hot paths for a minute or more of CPU. Measured earlier, a step
            // measures the compilers.
            // At the ladder's first rate at most: a warm-up above what the stack holds leaves a backlog to the first step.
            double warm = Math.min(100, rates[0]);
            log("warming the stack up: 20 s at %.0f contacts/s, %d s at %.0f/s", warm / 2, warmupSeconds, warm);
            send(load, followUps, warm / 2, Duration.ZERO, Duration.ofSeconds(20));
            send(load, followUps, warm, Duration.ZERO, Duration.ofSeconds(warmupSeconds));
            log("a pause of %d s: the warm-up's timers fire and the consumers catch up", leadSeconds);
            Thread.sleep(leadSeconds * 1000L);
            log("the ladder: each rate held %d s, then measured for %d s", leadSeconds, measureSeconds);
            for (double rate : rates) {
                Step step = step(load, followUps, people, rate, leadSeconds, measureSeconds);
                steps.add(step);
                log("  %,6.0f contacts/s offered: %,6.0f/s accepted; p99 %.1f ms (contacts), %.1f ms (%,.0f activities/s); %s",
                        rate, step.contactsPerSecond(), step.contacts().p99Ms(), step.activities().p99Ms(),
                        step.activities().achievedPerSecond(), step.held() ? "held" : "NOT held: " + step.why());
                log("    CPU ms a contact: %s", step.cpuMsPerContact());
                log("    records a contact: %s", step.recordsPerContact());
                log("    consumers: %s", step.consumers());
                log("    timers: %s", step.timers());
                allHeld &= step.held();
                if (allHeld) {
                    held = rate;
                }
                if (!step.held() && !keepGoing) {
                    break;
                }
            }
        } finally {
            for (AutoCloseable s : scrapers) {
                s.close();
            }
        }
        Result result = new Result(Instant.now(), fsync, Runtime.getRuntime().availableProcessors(), keyed,
                BenchSupport.SERVICE_JVM, held, steps);
        System.out.printf(Locale.ROOT, "%nthe whole stack, fsync %s, %d cores, Idempotency-Key %s: highest contact rate held"
                + " %,.0f/s%n", fsync, result.cores(), keyed ? "on every request" : "on none", held);
        for (Step s : steps) {
            System.out.printf(Locale.ROOT, "  %,6.0f/s: %s, p99 %6.1f ms (contacts), %6.1f ms (activities), CPU ms a"
                    + " contact %s, outbox relays %s%n", s.offered(), s.held() ? "held" : "not held", s.contacts().p99Ms(),
                    s.activities().p99Ms(), s.cpuMsPerContact(), s.relays());
        }
        return result;
    }

    private Step step(OpenLoad load, OpenLoad followUps, People people, double rate, int leadSeconds,
            int measureSeconds)
            throws Exception {
        ScheduledExecutorService at = Executors.newSingleThreadScheduledExecutor();
        int half = measureSeconds / 2;
        CompletableFuture<Snapshot> start = new CompletableFuture<>();
        CompletableFuture<Snapshot> middle = new CompletableFuture<>();
        at.schedule(() -> {
            BenchSupport.resetStatements(STATEMENTS_DATABASE);
            complete(start, people);
        }, leadSeconds * 1000L + 10, TimeUnit.MILLISECONDS);
        at.schedule(() -> complete(middle, people), (leadSeconds + half) * 1000L + 10, TimeUnit.MILLISECONDS);
        Loads intake = send(load, followUps, rate, Duration.ofSeconds(leadSeconds), Duration.ofSeconds(measureSeconds));
        Snapshot end = snapshot(people);
        at.shutdown();
        BenchSupport.printStatements(STATEMENTS_DATABASE);
        Snapshot a = start.get();
        Snapshot m = middle.get();
        double seconds = (end.nanos - a.nanos) / 1e9;
        long accepted = end.contacts - a.contacts;
        List<String> why = new ArrayList<>();
        for (OpenLoad.Step s : List.of(intake.contacts(), intake.followUps())) {
            if (!s.meets(100)) {
                why.add(String.format(Locale.ROOT, "%s: p99 %.1f ms, %,.0f of %,.0f a second answered 2xx, %d failed %s",
                        s == intake.contacts() ? "contacts" : "activities", s.p99Ms(), s.achievedPerSecond(),
                        s.offeredPerSecond(), s.failed(), s.statuses()));
            }
        }
        Map<String, Double> cpu = new LinkedHashMap<>();
        for (String name : end.cpuMs.keySet()) {
            cpu.put(name, round((end.cpuMs.get(name) - a.cpuMs.getOrDefault(name, 0.0)) / Math.max(1, accepted)));
        }
        Map<String, Map<String, Object>> consumers = new LinkedHashMap<>();
        Map<String, Map<String, Object>> timers = new LinkedHashMap<>();
        Map<String, Map<String, Double>> notApplied = new LinkedHashMap<>();
        for (String name : CONSUMERS) {
            Map<String, Double> x = a.metrics.get(name);
            Map<String, Double> y = m.metrics.get(name);
            Map<String, Double> z = end.metrics.get(name);
            String age = "pledge_consumer_event_age_seconds";
            double first = over(x, y, age, "", "2.0");
            double second = over(y, z, age, "", "2.0");
            double count = delta(x, z, age + "_count");
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("transactions", count);
            c.put("over2sFirstHalf", round(first));
            c.put("over2sSecondHalf", round(second));
            c.put("meanAgeMs", round(count == 0 ? 0 : 1000 * delta(x, z, age + "_sum") / count));
            c.put("eventsApplied", sum(z, "pledge_consumer_events_total", "outcome=\"applied\"")
                    - sum(x, "pledge_consumer_events_total", "outcome=\"applied\""));
            // events that would change nothing in this service, passed over before any transaction (EventHandler.wants)
            c.put("eventsPassedOver", sum(z, "pledge_consumer_events_total", "outcome=\"passed-over\"")
                    - sum(x, "pledge_consumer_events_total", "outcome=\"passed-over\""));
            consumers.put(name, c);
            if (first > 0.01 || second > 0.01) {
                why.add(String.format(Locale.ROOT, "%s: %.1f %% then %.1f %% of transactions over 2 s", name, 100 * first,
                        100 * second));
            }
            for (String engine : engines(z)) {
                String lateness = "pledge_timers_fire_lateness_seconds";
                String label = "timers=\"" + engine + "\"";
                double fired = delta(x, z, lateness + "_count{" + label + "}");
                double late = over(x, z, lateness, label, "1.0");
                timers.put(name + " " + engine, Map.of("fired", fired, "over1s", round(late)));
                if (late > 0.01) {
                    why.add(String.format(Locale.ROOT, "%s %s timers: %.1f %% over 1 s late", name, engine, 100 * late));
                }
            }
            Map<String, Double> other = new LinkedHashMap<>();
            double skipped = sum(z, "pledge_consumer_events_total", "outcome=\"skipped\"")
                    - sum(x, "pledge_consumer_events_total", "outcome=\"skipped\"");
            double deadLettered = sum(z, "pledge_consumer_dead_letters_total", "") - sum(x, "pledge_consumer_dead_letters_total", "");
            if (skipped > 0) {
                other.put("skipped", skipped);
            }
            if (deadLettered > 0) {
                other.put("dead-lettered", deadLettered);
            }
            if (!other.isEmpty()) {
                notApplied.put(name, other);
                why.add(name + " did not apply " + other);
            }
        }
        long answered = end.surveysAnswered - a.surveysAnswered;
        long surveyFailures = end.surveysFailed - a.surveysFailed;
        if (surveyFailures > 0) {
            why.add(surveyFailures + " survey answers or acknowledgements failed: " + people.firstFailure.get());
        }
        Map<String, Double> records = new LinkedHashMap<>();
        end.records.forEach((topic, n) -> records.put(topic, round((double) (n - a.records.getOrDefault(topic, 0L))
                / Math.max(1, accepted))));
        // each service's outbox relay: transactions a second, and events a transaction (each one a produce request too)
        Map<String, Map<String, Double>> relays = new LinkedHashMap<>();
        for (String name : SERVICES) {
            Map<String, Double> x = a.metrics.get(name);
            Map<String, Double> z = end.metrics.get(name);
            double batches = delta(x, z, "pledge_outbox_batch_events_count");
            relays.put(name, Map.of("transactionsPerSecond", round(batches / seconds),
                    "eventsPerTransaction", round(batches == 0 ? 0 : delta(x, z, "pledge_outbox_batch_events_sum") / batches)));
        }
        return new Step(rate, round(accepted / seconds), why.isEmpty(), why, intake.contacts(), intake.followUps(), cpu,
                consumers, timers, answered, surveyFailures, notApplied, records, relays);
    }

    /**
     * Contacts at {@code rate} a second on one load, and on another their follow-ups as they fall due (looked for
     * three times as often as they come, at least every millisecond); both at once, to the same intake.
     */
    private Loads send(OpenLoad contactsLoad, OpenLoad followUpsLoad, double rate, Duration lead, Duration measure)
            throws Exception {
        CompletableFuture<OpenLoad.Step> followUps = CompletableFuture.supplyAsync(() -> {
            try {
                return followUpsLoad.run(Math.max(1000, 3 * rate * FOLLOW_UPS_PER_CONTACT), lead, measure, i -> {
                    FollowUp f = due.peek();
                    if (f == null || f.at() > System.nanoTime() || (f = due.poll()) == null) {
                        return null;
                    }
                    String kind = f.body().substring(9, f.body().indexOf('"', 9));
                    return request("/contacts/" + f.contactId() + "/activities", f.token(),
                            f.body().replace("DUE", Instant.now().plusSeconds(20).toString()),
                            (status, body, nanos) -> refused(kind, status, body));
                });
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }, Executors.newSingleThreadExecutor(r -> new Thread(r, "stack-follow-ups")));
        OpenLoad.Step contacts = contactsLoad.run(rate, lead, measure, i -> {
            long n = sequence.incrementAndGet();
            String customer = "cust-" + UUID.randomUUID();
            String contact = String.format(Locale.ROOT, """
                    {"customer":{"id":"%s","name":"Customer %d","email":"%s@example.com","tier":"%s"},\
                    "channel":"%s","subject":"Order %d","body":"%s"}""", customer, n, customer,
                    n % 12 == 0 ? "vip" : n % 4 == 0 ? "premium" : "standard", CHANNELS[(int) (n % CHANNELS.length)], n,
                    BODIES[(int) (n % BODIES.length)]);
            return request("/contacts", intakeToken, contact, (status, body, nanos) -> {
                refused("contact", status, body);
                if (status == 202) {
                    this.contacts.incrementAndGet();
                    followUps(n, id(body), nanos);
                }
            });
        });
        return new Loads(contacts, followUps.get());
    }

    /** What the two loads of a step measured. */
    record Loads(OpenLoad.Step contacts, OpenLoad.Step followUps) {
    }

    /** The first refusal of each kind of request and status, logged: a refused request fails the step. */
    private void refused(String kind, int status, Buffer body) {
        if (status >= 300 && refusals.putIfAbsent(kind + " " + status, body.toString()) == null) {
            log("  first %d to a %s: %s", status, kind, body);
        }
    }

    /** What agents and the customer do next with contact {@code n} of the mix (see the class comment). */
    private void followUps(long n, String id, long now) {
        int plan = (int) (n % 20);
        long s = 1_000_000_000L;
        String reply = "{\"type\":\"agent-replied\"}";
        String resolved = "{\"type\":\"status-changed\",\"status\":\"resolved\"}";
        if (plan < 12) { // answered, then resolved
            due.add(new FollowUp(now + 2 * s, id, reply, agentToken));
            due.add(new FollowUp(now + 8 * s, id, resolved, agentToken));
        } else if (plan < 14) { // answered with a promise (due 20 s after it is made, one kept at once), then resolved
            due.add(new FollowUp(now + 2 * s, id, reply, agentToken));
            due.add(new FollowUp(now + 3 * s, id, "{\"type\":\"promised\",\"what\":\"Call back with the delivery"
                    + " date\",\"due\":\"DUE\"}", agentToken));
            if (plan == 12) {
                due.add(new FollowUp(now + 5 * s, id, "{\"type\":\"promise-kept\",\"promise\":1}", agentToken));
            }
            due.add(new FollowUp(now + 10 * s, id, resolved, agentToken));
        } else if (plan < 16) { // the customer chases, then is answered and the contact resolved
            due.add(new FollowUp(now + 3 * s, id, "{\"type\":\"customer-replied\"}", intakeToken));
            due.add(new FollowUp(now + 5 * s, id, reply, agentToken));
            due.add(new FollowUp(now + 10 * s, id, resolved, agentToken));
        } else if (plan == 16) { // answered, then waiting on the customer
            due.add(new FollowUp(now + 2 * s, id, reply, agentToken));
            due.add(new FollowUp(now + 4 * s, id, "{\"type\":\"status-changed\",\"status\":\"pending\"}",
                    agentToken));
        } // 17, 18, 19: left alone, their timers warn and breach
    }

    private OpenLoad.Request request(String path, String token, String body, OpenLoad.Answer answer) {
        Map<String, String> headers = keyed
                ? Map.of("Authorization", token, "Content-Type", "application/json", "Idempotency-Key",
                        UUID.randomUUID().toString())
                : Map.of("Authorization", token, "Content-Type", "application/json");
        return new OpenLoad.Request(path, headers, Buffer.buffer(body), answer);
    }

    private static String id(Buffer body) {
        String text = body.toString();
        int at = text.indexOf("\"id\":\"") + 6;
        return text.substring(at, text.indexOf('"', at));
    }

    private void publishPolicy() throws Exception {
        String policy = BenchSupport.defaultPolicyWith(SLA, FEEDBACK);
        // Escalation ladders of a minute or two, so that unacknowledged escalations climb within the run.
        policy = policy.replaceAll("acknowledgeWithin: PT\\d+[HM]", "acknowledgeWithin: PT1M")
                .replaceAll("reEscalateAfter: PT\\d+[HM]", "reEscalateAfter: PT2M");
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                services.get("intake-service").url() + "/policy")).header("Authorization", "Bearer "
                + TestTokens.forRoles("policy-admin")).header("Content-Type", "application/yaml")
                .PUT(HttpRequest.BodyPublishers.ofString(policy)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 201) {
            throw new IllegalStateException("the bench policy was refused: " + r.body());
        }
        Thread.sleep(5_000); // every service has it
    }

    /** What a step compares: time, contacts accepted, CPU per process, each consumer's metrics. */
    private record Snapshot(long nanos, long contacts, Map<String, Double> cpuMs,
            Map<String, Map<String, Double>> metrics, long surveysAnswered, long surveysFailed, Map<String, Long> records) {
    }

    private void complete(CompletableFuture<Snapshot> f, People people) {
        try {
            f.complete(snapshot(people));
        } catch (Exception e) {
            f.completeExceptionally(e);
        }
    }

    private Snapshot snapshot(People people) throws IOException, InterruptedException {
        long nanos = System.nanoTime();
        long accepted = contacts.get();
        Map<String, Double> cpu = new LinkedHashMap<>();
        for (Map.Entry<String, ServiceProcess> s : services.entrySet()) {
            cpu.put(s.getKey(), (double) BenchSupport.cpu(s.getValue()).toMillis());
        }
        cpu.put("postgresql", Cpu.postgres());
        // of that, the live processes by database (a service's backends) and the background ones
        Cpu.postgresByDatabase().forEach((what, ms) -> cpu.put("postgresql " + what, ms));
        double generator = Cpu.generatorThreads();
        cpu.put("broker", Cpu.thisProcess() - generator);
        cpu.put("load generator", generator);
        // of the above, what the JIT compilers took in the five JVMs: the four services' and this one (broker and load)
        double jit = Cpu.compilers(ProcessHandle.current().pid());
        for (ServiceProcess s : services.values()) {
            jit += Cpu.compilers(s.pid());
        }
        cpu.put("of which JIT", jit);
        Map<String, Map<String, Double>> metrics = new LinkedHashMap<>();
        for (String name : SERVICES) {
            metrics.put(name, BenchSupport.metrics(services.get(name)));
        }
        return new Snapshot(nanos, accepted, cpu, metrics, people.answered.get(), people.failed.get(), records());
    }

    /** Records written to each topic so far: the sum of its partitions' end offsets. */
    private static Map<String, Long> records() {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafka.get().bootstrapServers());
        Map<String, Long> out = new LinkedHashMap<>();
        try (Admin admin = Admin.create(p)) {
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            for (String topic : List.of(Topics.CONTACT_EVENTS, Topics.SLA_EVENTS, Topics.ESCALATION_EVENTS,
                    Topics.FEEDBACK_EVENTS)) {
                for (int i = 0; i < BenchSupport.PARTITIONS; i++) {
                    latest.put(new TopicPartition(topic, i), OffsetSpec.latest());
                }
            }
            admin.listOffsets(latest).all().get().forEach((tp, info) -> out.merge(tp.topic(), info.offset(), Long::sum));
        } catch (Exception e) {
            log("topic offsets not read: %s", e);
        }
        return out;
    }

    /** The share of observations over {@code le} between two readings of a Prometheus histogram. */
    private static double over(Map<String, Double> before, Map<String, Double> after, String name, String labels,
            String le) {
        String prefix = labels.isEmpty() ? "" : labels + ",";
        double count = delta(before, after, name + "_count" + (labels.isEmpty() ? "" : "{" + labels + "}"));
        double within = delta(before, after, name + "_bucket{" + prefix + "le=\"" + le + "\"}");
        return count == 0 ? 0 : (count - within) / count;
    }

    private static double delta(Map<String, Double> before, Map<String, Double> after, String key) {
        return after.getOrDefault(key, 0.0) - before.getOrDefault(key, 0.0);
    }

    private static double sum(Map<String, Double> m, String name, String label) {
        return m.entrySet().stream().filter(e -> e.getKey().startsWith(name + "{") && e.getKey().contains(label))
                .mapToDouble(Map.Entry::getValue).sum();
    }

    private static List<String> engines(Map<String, Double> m) {
        return m.keySet().stream().filter(k -> k.startsWith("pledge_timers_fire_lateness_seconds_count{"))
                .map(k -> k.substring(k.indexOf("timers=\"") + 8, k.indexOf('"', k.indexOf("timers=\"") + 8)))
                .distinct().sorted().toList();
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }

    /**
     * The customers and the supervisors: each survey.requested answered at feedback-service's POST /feedback with
     * its token; each escalation.raised acknowledged 5 s later at escalation-service (an escalation left alone
     * climbs every minute under the bench policy and fires again and again: in a helpdesk someone picks it up).
     */
    private static final class People implements AutoCloseable {
        final AtomicLong answered = new AtomicLong();
        final AtomicLong failed = new AtomicLong();
        final AtomicLong acknowledged = new AtomicLong();
        final AtomicReference<String> firstFailure = new AtomicReference<>();
        private final HttpClient http = HttpClient.newBuilder().executor(Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "stack-people");
            t.setDaemon(true);
            return t;
        })).build();
        private final ScheduledExecutorService later = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "stack-people-later");
            t.setDaemon(true);
            return t;
        });
        private final String feedback;
        private final String escalation;
        private final String supervisor = "Bearer " + TestTokens.forSubject("supervisor-1", TestTokens.AUDIENCE,
                "supervisor");
        private volatile boolean running = true;
        private final Thread reader;

        People(String feedbackUrl, String escalationUrl) {
            feedback = feedbackUrl;
            escalation = escalationUrl;
            Properties p = new Properties();
            p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafka.get().bootstrapServers());
            p.put(ConsumerConfig.GROUP_ID_CONFIG, "stack-bench-people");
            p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
            KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer());
            consumer.subscribe(List.of(Topics.FEEDBACK_EVENTS, Topics.ESCALATION_EVENTS));
            reader = new Thread(() -> {
                try (consumer) {
                    while (running) {
                        for (var r : consumer.poll(Duration.ofMillis(200))) {
                            Header type = r.headers().lastHeader("ce_type");
                            String t = type == null ? "" : new String(type.value(), StandardCharsets.UTF_8);
                            if (t.equals("pledge.survey.requested")) {
                                answer(r.value());
                            } else if (t.equals("pledge.escalation.raised")) {
                                later.schedule(() -> acknowledge(r.value()), 5, TimeUnit.SECONDS);
                            }
                        }
                    }
                }
            }, "stack-people-reader");
            reader.start();
        }

        private void answer(String survey) {
            try {
                JsonNode s = JSON.readTree(survey);
                String body = JSON.createObjectNode().put("token", s.get("token").asText())
                        .put("score", 3 + (s.get("contactId").asText().hashCode() & 1) * 2).put("comment", "Thanks")
                        .toString();
                send(HttpRequest.newBuilder(URI.create(feedback + "/feedback")).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body)), 201, answered);
            } catch (IOException e) {
                failed.incrementAndGet();
            }
        }

        private void acknowledge(String raised) {
            try {
                String id = JSON.readTree(raised).get("escalationId").asText();
                send(HttpRequest.newBuilder(URI.create(escalation + "/escalations/" + id + "/acknowledge"))
                        .header("Authorization", supervisor).POST(HttpRequest.BodyPublishers.noBody()), 200, acknowledged);
            } catch (IOException e) {
                failed.incrementAndGet();
            }
        }

        private void send(HttpRequest.Builder request, int expected, AtomicLong counter) {
            http.sendAsync(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString())
                    .whenComplete((r, e) -> {
                        // 409: acknowledged or closed already (the contact was answered meanwhile), as a supervisor finds it
                        if (e == null && (r.statusCode() == expected || r.statusCode() == 409)) {
                            counter.incrementAndGet();
                        } else {
                            failed.incrementAndGet();
                            firstFailure.compareAndSet(null, e != null ? e.toString() : r.statusCode() + " " + r.body());
                        }
                    });
        }

        @Override
        public void close() throws InterruptedException {
            running = false;
            reader.join();
            later.shutdownNow();
        }
    }

    static {
        Locale.setDefault(Locale.ROOT);
    }
}
