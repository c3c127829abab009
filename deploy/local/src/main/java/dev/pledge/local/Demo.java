package dev.pledge.local;

import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code ./pledge demo}: a realistic stream of contacts across channels, customers and complaint
 * types, with agents answering some of them, so that every service downstream has work to show.
 * Leaves some contacts unanswered on purpose: those are the ones whose SLA timers run out.
 */
final class Demo {
    static final int DEFAULT_CONTACTS = 60;
    private static final Pattern ID = Pattern.compile("\"id\"\\s*:\\s*\"([^\"]+)\"");

    /** A customer's message; the text carries the keywords the default policy classifies by. */
    record Template(String subject, String body) {
    }

    static final List<Template> TEMPLATES = List.of(
            new Template("Parcel not delivered", "My parcel was due on Tuesday and the tracking has not moved since."),
            new Template("Charged twice", "I was charged twice for order 4471, please refund the second payment."),
            new Template("Cannot log in", "I am locked out of my account and the password reset email never arrives."),
            new Template("Still out of stock?", "The blue kettle has been out of stock for weeks. When is it back in stock?"),
            new Template("On hold forever", "I was kept waiting on hold for an hour yesterday and nobody answered."),
            new Template("Third time asking", "This is the third time I explain this. I told you already what happened."),
            new Template("Nobody called back", "You promised to call me back on Monday. I never called back, still waiting to hear."),
            new Template("Idea", "Feature request: it would be great if the app showed delivery slots."),
            new Template("Broken on arrival", "The blender arrived broken. Poor quality, frankly."),
            new Template("Unacceptable", "This is unacceptable. I am furious with the worst service I have had."),
            new Template("Final warning", "If this is not fixed this week my lawyer will be in touch about legal action."),
            new Template("Quick question", "Do you deliver to the Isle of Wight?"),
            new Template("Invoice copy", "Could you send me a copy of my last invoice?"),
            new Template("Rude agent", "The representative seemed uninterested and ended the chat."),
            new Template("Leaving", "Unless this is sorted I will cancel my subscription and take my business elsewhere."));

    /** Sent in a burst at the end, all of one category: enough to declare a crisis (and, later, clear it). */
    static final Template OUTAGE = new Template("Cannot log in", "Locked out of my account, the login page fails.");
    static final int OUTAGE_CONTACTS = 25;

    static final String[] CHANNELS = {"email", "email", "chat", "chat", "phone", "social", "web", "sms"};
    static final String[] NAMES = {"Ada Lovelace", "Grace Hopper", "Alan Turing", "Katherine Johnson",
            "Edsger Dijkstra", "Barbara Liskov", "Donald Knuth", "Margaret Hamilton", "Tim Berners-Lee",
            "Radia Perlman", "Ken Thompson", "Frances Allen"};

    private static final String DEFAULT_PUBLISHER = "pledge (default policy)";

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final URI intake;
    private final String intakeToken;
    private final String agentToken;
    private final String adminToken;
    private final String analystToken;
    private final PrintStream out;
    private final Random random = new Random();

    /** Where customers answer surveys, and the broker to read survey requests from (null: not answered). */
    private URI feedback = URI.create("http://localhost:8084");
    private String bootstrap;
    private long started;

    Demo(URI intake, DevTokens tokens, PrintStream out) throws Exception {
        this.intake = intake;
        this.intakeToken = tokens.token("intake");
        this.agentToken = tokens.token("agent");
        this.adminToken = tokens.token("policy-admin");
        this.analystToken = tokens.token("analyst");
        this.out = out;
    }

    /** Customers answer the surveys feedback-service sends: read from this broker, answered at this URL. */
    Demo answeringSurveys(String bootstrapServers, URI feedbackService) {
        this.bootstrap = bootstrapServers;
        this.feedback = feedbackService;
        return this;
    }

    void run(int contacts, boolean demoPolicy) throws Exception {
        started = System.currentTimeMillis();
        if (demoPolicy) {
            publishDemoPolicy();
        }
        out.printf("Posting %d contacts to %s ...%n", contacts, intake);
        List<String> open = new ArrayList<>();
        int accepted = 0;
        for (int i = 0; i < contacts; i++) {
            int customer = random.nextInt(NAMES.length * 3);
            String tier = customer % 12 == 0 ? "vip" : customer % 4 == 0 ? "premium" : "standard";
            Template t = TEMPLATES.get(random.nextInt(TEMPLATES.size()));
            String channel = CHANNELS[random.nextInt(CHANNELS.length)];
            String json = """
                    {"customer": {"id": "cust-%03d", "name": "%s", "email": "cust-%03d@example.com", "tier": "%s"},
                     "channel": "%s", "subject": "%s", "body": "%s"}""".formatted(customer,
                    NAMES[customer % NAMES.length], customer, tier, channel, t.subject(), t.body());
            HttpResponse<String> r = post(URI.create(intake + "/contacts"), intakeToken, json);
            if (r.statusCode() != 202) {
                out.printf("  refused (%d): %s%n", r.statusCode(), r.body());
                continue;
            }
            accepted++;
            String id = id(r.body());
            out.printf("  %-7s %-9s %-30s %s%n", channel, tier, t.subject(), id);
            open.add(id);
            actOn(id);
            Thread.sleep(100);
        }
        out.printf("%d contacts accepted; some answered, some left waiting so that their SLA timers run.%n", accepted);
        out.printf("Now an outage: %d 'cannot log in' contacts at once (./pledge tail escalation-events: crisis.declared) ...%n",
                OUTAGE_CONTACTS);
        for (int i = 0; i < OUTAGE_CONTACTS; i++) {
            String json = """
                    {"customer": {"id": "outage-%03d", "name": "Customer %d", "tier": "standard"},
                     "channel": "web", "subject": "%s", "body": "%s"}""".formatted(i, i, OUTAGE.subject(), OUTAGE.body());
            post(URI.create(intake + "/contacts"), intakeToken, json);
        }
        if (bootstrap != null) {
            answerSurveys(Duration.ofSeconds(60));
        }
        checkReplay();
        out.println("Done. Escalations: GET http://localhost:8083/escalations?state=open (token: ./pledge token supervisor);"
                + " the dashboard: http://localhost:8084/dashboard (sign in with ./pledge token supervisor)");
    }

    /**
     * While the shipped default policy is in force, replaces its SLA section with targets of minutes
     * counted 24x7: the default counts office hours, so at night or on a Sunday nothing would move.
     * A policy someone published is left alone.
     */
    private void publishDemoPolicy() throws Exception {
        HttpResponse<String> current = http.send(HttpRequest.newBuilder(URI.create(intake + "/policy"))
                .header("Authorization", "Bearer " + adminToken).build(), HttpResponse.BodyHandlers.ofString());
        if (current.statusCode() != 200 || !current.body().contains("\"publishedBy\":\"" + DEFAULT_PUBLISHER + "\"")) {
            out.println("A policy other than the default is in force: the demo uses it as it is.");
            return;
        }
        String source = com.fasterxml.jackson.databind.json.JsonMapper.builder().build().readTree(current.body())
                .get("source").asText();
        String demoSla;
        try (var in = Demo.class.getResourceAsStream("/demo-sla.yaml")) {
            demoSla = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
        String demoFeedback;
        try (var in = Demo.class.getResourceAsStream("/demo-feedback.yaml")) {
            demoFeedback = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
        String yaml = minutes(source.substring(0, source.indexOf("\nsla:\n") + 1) + demoSla
                + source.substring(source.indexOf("\nclassification:\n") + 1, source.indexOf("\nfeedback:\n") + 1)
                + demoFeedback);
        HttpResponse<String> put = http.send(HttpRequest.newBuilder(URI.create(intake + "/policy"))
                .header("Authorization", "Bearer " + adminToken).header("Content-Type", "application/yaml")
                .PUT(HttpRequest.BodyPublishers.ofString(yaml)).build(), HttpResponse.BodyHandlers.ofString());
        out.printf("Demo policy published (%d): SLA targets of minutes, 24x7, so that warnings and breaches show%n"
                + "while you watch (./pledge tail sla-events), escalation ladders of minutes (./pledge tail escalation-events), surveys 20 s after resolution. Publish your own with PUT /policy; --keep-policy skips this.%n",
                put.statusCode());
    }

    /**
     * The default escalation ladder and complaint acknowledgement count in hours; the demo's count in
     * minutes, so that an unacknowledged escalation climbs and a complaint misses its deadline on screen.
     */
    static String minutes(String yaml) {
        return yaml.replace("acknowledgeWithin: PT15M", "acknowledgeWithin: PT1M")
                .replace("acknowledgeWithin: PT30M", "acknowledgeWithin: PT2M")
                .replace("acknowledgeWithin: PT1H", "acknowledgeWithin: PT3M")
                .replace("acknowledgeWithin: PT2H", "acknowledgeWithin: PT4M")
                .replace("acknowledgeWithin: PT4H", "acknowledgeWithin: PT5M")
                .replace("acknowledgeWithin: PT24H", "acknowledgeWithin: PT5M")
                .replace("reEscalateAfter: PT4H", "reEscalateAfter: PT5M");
    }

    /** Agents answer about half at once, put some on pending, resolve a few, promise a call back; the rest wait. */
    private void actOn(String id) throws Exception {
        int roll = random.nextInt(10);
        URI activities = URI.create(intake + "/contacts/" + id + "/activities");
        if (roll < 5) {
            // the omnichannel front end relays its agents' replies: it may name the agent it acts for (an agent's
            // own token cannot name another)
            post(activities, intakeToken, "{\"type\": \"agent-replied\", \"agentId\": \"agent-" + random.nextInt(8) + "\"}");
        }
        if (roll == 1 || roll == 2) {
            post(activities, agentToken, "{\"type\": \"status-changed\", \"status\": \"pending\"}");
        }
        if (roll == 3 || roll == 5 || roll == 6) {
            post(activities, agentToken, "{\"type\": \"status-changed\", \"status\": \"resolved\"}");
            if (roll == 6 && random.nextBoolean()) { // the customer was not done: reopened, then resolved again
                post(activities, agentToken, "{\"type\": \"status-changed\", \"status\": \"reopened\"}");
                post(activities, agentToken, "{\"type\": \"status-changed\", \"status\": \"resolved\"}");
            }
        }
        if (roll == 0 || roll == 4) { // a promise made after the reply: kept at once, or broken a minute later
            String due = Instant.now().plus(Duration.ofMinutes(1)).toString();
            post(activities, agentToken, "{\"type\": \"promised\", \"what\": \"Call back with the delivery date\", \"due\": \""
                    + due + "\"}");
            if (roll == 0) {
                post(activities, agentToken, "{\"type\": \"promise-kept\", \"promise\": 1}");
            }
        }
        if (roll == 9) { // a customer chasing three times without an answer
            for (int i = 0; i < 3; i++) {
                post(activities, intakeToken, "{\"type\": \"customer-replied\"}");
            }
        }
    }

    private static final String[] COMMENTS = {
        "Quick and friendly, thank you!", "Very helpful, problem solved.", "Fine.",
        "I was kept waiting on hold for ages.", "You never called back as promised.",
        "Not happy: I had to explain again three times.", "Great service, really impressed.", ""};

    /**
     * Plays the customers: reads survey.requested from feedback-events for a while and answers each with
     * its token at POST /feedback (scores mostly good, some poor, a comment now and then).
     */
    private void answerSurveys(Duration during) throws Exception {
        out.printf("Answering surveys as the customers would for %d s (they are sent 20 s after resolution) ...%n",
                during.toSeconds());
        java.util.Properties p = new java.util.Properties();
        p.put("bootstrap.servers", bootstrap);
        p.put("group.id", "pledge-demo-" + java.util.UUID.randomUUID());
        p.put("auto.offset.reset", "earliest"); // from the start of the demo: surveys sent while contacts were posted
        long since = started;
        p.put("enable.auto.commit", "false");
        var json = com.fasterxml.jackson.databind.json.JsonMapper.builder().build();
        int answered = 0;
        long end = System.nanoTime() + during.toNanos();
        try (var consumer = new org.apache.kafka.clients.consumer.KafkaConsumer<String, String>(p,
                new org.apache.kafka.common.serialization.StringDeserializer(),
                new org.apache.kafka.common.serialization.StringDeserializer())) {
            consumer.subscribe(List.of("feedback-events"));
            while (System.nanoTime() < end) {
                for (var record : consumer.poll(Duration.ofMillis(500))) {
                    var type = record.headers().lastHeader("ce_type");
                    if (record.timestamp() < since) {
                        continue; // a survey of an earlier run
                    }
                    if (type == null || !"pledge.survey.requested".equals(new String(type.value(), java.nio.charset.StandardCharsets.UTF_8))) {
                        continue;
                    }
                    var survey = json.readTree(record.value());
                    String kind = survey.get("kind").asText();
                    int score = switch (kind) {
                        case "nps" -> random.nextInt(10) < 7 ? 7 + random.nextInt(4) : random.nextInt(7);
                        case "ces" -> random.nextInt(10) < 7 ? 5 + random.nextInt(3) : 1 + random.nextInt(4); // 7: easiest
                        default -> random.nextInt(10) < 8 ? 4 + random.nextInt(2) : 1 + random.nextInt(3);
                    };
                    String comment = COMMENTS[random.nextInt(COMMENTS.length)];
                    var body = json.createObjectNode().put("token", survey.get("token").asText()).put("score", score)
                            .put("comment", comment);
                    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(feedback + "/feedback"))
                            .timeout(Duration.ofSeconds(10)).header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(),
                            HttpResponse.BodyHandlers.ofString());
                    if (r.statusCode() == 201) {
                        answered++;
                        out.printf("  %-4s %2d  %s%n", kind, score, comment);
                    } else {
                        out.printf("  answer refused (%d): %s%n", r.statusCode(), r.body());
                    }
                }
            }
        }
        out.printf("%d surveys answered.%n", answered);
    }

    /**
     * The identity of docs/outcomes.md on the demo's own contacts: the versions in force, replayed by
     * feedback-service's what-if from its recorded history, must give every outcome sla-service recorded. A
     * deadline that passed a moment ago may not be recorded yet, so it asks again a few times before it says so.
     */
    private void checkReplay() throws Exception {
        Instant from = Instant.ofEpochMilli(started).minusSeconds(60);
        out.println("Replaying the demo's contacts under the policy versions that were in force (POST /insights/what-if) ...");
        String last = null;
        for (int attempt = 0; attempt < 6; attempt++) {
            Instant to = Instant.now().plusSeconds(1);
            URI start = URI.create(feedback + "/insights/what-if?from=" + from + "&to=" + to.truncatedTo(ChronoUnit.SECONDS).plusSeconds(1));
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(start).timeout(Duration.ofSeconds(10))
                    .header("Authorization", "Bearer " + analystToken).POST(HttpRequest.BodyPublishers.noBody()).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 202) {
                out.printf("  the replay was refused (%d): %s%n", r.statusCode(), r.body());
                return;
            }
            URI job = URI.create(r.headers().firstValue("Location").orElseThrow());
            String body;
            do {
                Thread.sleep(500);
                body = http.send(HttpRequest.newBuilder(job).header("Authorization", "Bearer " + analystToken).build(),
                        HttpResponse.BodyHandlers.ofString()).body();
            } while (body.contains("\"state\":\"running\""));
            last = body;
            Matcher changed = Pattern.compile("\"changed\"\\s*:\\s*(\\d+)").matcher(body);
            Matcher contacts = Pattern.compile("\"contacts\"\\s*:\\s*(\\d+)").matcher(body);
            if (changed.find() && contacts.find() && "0".equals(changed.group(1))) {
                out.printf("  %s contacts replayed: every outcome as sla-service recorded it.%n", contacts.group(1));
                return;
            }
            Thread.sleep(5000);
        }
        out.printf("  the replay differs from what was recorded (a defect: see docs/outcomes.md): %s%n", last);
    }

    private HttpResponse<String> post(URI uri, String token, String json) throws Exception {
        return http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String id(String body) {
        Matcher m = ID.matcher(body);
        return m.find() ? m.group(1) : "?";
    }
}
