package dev.pledge.system;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;

import dev.pledge.policy.PolicyLoader;
import dev.pledge.testinfra.ServiceProcess;
import dev.pledge.testinfra.TestKafka;
import dev.pledge.testinfra.TestTokens;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;

/**
 * The four services as built jars, each in a JVM of its own, over the test JVM's broker and database, as
 * {@code ./pledge up} runs them; and the REST calls the stories make.
 */
final class Stack implements AutoCloseable {
    static final List<String> CONSUMERS = List.of("sla-service", "escalation-service", "feedback-service");

    private static final Map<String, String> FEEDBACK_ENV = Map.of(
            "PLEDGE_FEEDBACK_TOKEN_KEY", "c3lzdGVtLXRlc3RzLXN1cnZleS10b2tlbi1rZXktMzJieXRlcw==",
            "PLEDGE_FEEDBACK_ROLLUP_EVERY", "1s");

    final ServiceProcess intake;
    final ServiceProcess sla;
    ServiceProcess escalation;
    ServiceProcess feedback;

    private Stack(ServiceProcess intake, ServiceProcess sla, ServiceProcess escalation, ServiceProcess feedback) {
        this.intake = intake;
        this.sla = sla;
        this.escalation = escalation;
        this.feedback = feedback;
    }

    private static Stack shared;

    /**
     * The stack every test class of this module uses, started once (a minute of start-up per class would
     * double the module's time) and stopped when the test JVM exits. A class that kills a service starts
     * it again before it ends.
     */
    static synchronized Stack shared() {
        if (shared == null) {
            shared = start();
            Stack stopping = shared;
            Runtime.getRuntime().addShutdownHook(new Thread(stopping::close, "stack-stop"));
        }
        return shared;
    }

    /** intake first: it publishes the default policy the others wait for. */
    private static Stack start() {
        ServiceProcess intake = ServiceProcess.start(jar("intake-service"), "intake", Map.of());
        ServiceProcess sla = ServiceProcess.start(jar("sla-service"), "sla", Map.of());
        ServiceProcess escalation = ServiceProcess.start(jar("escalation-service"), "escalation", Map.of());
        ServiceProcess feedback = ServiceProcess.start(jar("feedback-service"), "feedback", FEEDBACK_ENV);
        Stack stack = new Stack(intake, sla, escalation, feedback);
        await().atMost(Duration.ofSeconds(100)).until(stack::everyConsumerHasPartitions);
        return stack;
    }

    private static final List<String> SLA_EVENT_CONSUMERS = List.of("escalation-service", "feedback-service");
    private Set<String> killedMembers = Set.of();

    /** SIGKILLs escalation- and feedback-service: what happens meanwhile waits for them on the topics. */
    void killConsumersOfSlaEvents() throws Exception {
        killedMembers = groups(SLA_EVENT_CONSUMERS).values().stream().flatMap(g -> g.members().stream())
                .map(MemberDescription::consumerId).collect(Collectors.toSet());
        escalation.kill();
        feedback.kill();
    }

    /**
     * Starts them again on their databases and waits until the new instances own partitions: the killed ones
     * stay members of their groups until their sessions time out (45 s), and only then are their partitions
     * handed over. Each reads contact-events and sla-events from where it stopped: both topics' backlogs in
     * one go, in whatever order the polls bring them.
     */
    void startConsumersOfSlaEvents() {
        escalation = ServiceProcess.start(jar("escalation-service"), "escalation", Map.of());
        feedback = ServiceProcess.start(jar("feedback-service"), "feedback", FEEDBACK_ENV);
        await().atMost(Duration.ofSeconds(100)).until(() -> groups(SLA_EVENT_CONSUMERS).values().stream().allMatch(g -> {
            List<MemberDescription> owning = g.members().stream()
                    .filter(m -> !m.assignment().topicPartitions().isEmpty()).toList();
            return !owning.isEmpty() && owning.stream().noneMatch(m -> killedMembers.contains(m.consumerId()));
        }));
    }

    private static Map<String, ConsumerGroupDescription> groups(List<String> names) throws Exception {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafka.get().bootstrapServers());
        try (Admin admin = Admin.create(p)) {
            return admin.describeConsumerGroups(names).all().get();
        }
    }

    private static Path jar(String module) {
        return Path.of("..", module, "target", "quarkus-app", "quarkus-run.jar");
    }

    private boolean everyConsumerHasPartitions() throws Exception {
        return groups(CONSUMERS).values().stream().allMatch(g -> g.members().stream()
                .anyMatch(m -> !m.assignment().topicPartitions().isEmpty()));
    }

    /** Publishes a policy document through intake; returns its version. */
    int publish(String yaml) {
        return given().auth().oauth2(TestTokens.forRoles("policy-admin")).contentType("application/yaml").body(yaml.getBytes(java.nio.charset.StandardCharsets.UTF_8))
                .put(intake.url() + "/policy").then().statusCode(201).extract().path("version");
    }

    /** A new contact; returns its id. */
    String contact(String channel, String priority) {
        return given().auth().oauth2(TestTokens.forRoles("intake")).contentType(ContentType.JSON).body(Map.of(
                        "customer", Map.of("id", "cust-" + System.nanoTime(), "name", "Ada", "tier", "standard"),
                        "channel", channel, "priority", priority, "category", "other",
                        "body", "A question about my order"))
                .post(intake.url() + "/contacts").then().statusCode(202).extract().path("id");
    }

    /** An activity as an agent posts it; the answer, whatever its status. */
    Response activity(String contactId, Map<String, Object> body, String idempotencyKey) {
        var request = given().auth().oauth2(TestTokens.forRoles("agent")).contentType(ContentType.JSON).body(body);
        if (idempotencyKey != null) {
            request = request.header("Idempotency-Key", idempotencyKey);
        }
        return request.post(intake.url() + "/contacts/" + contactId + "/activities");
    }

    void activity(String contactId, Map<String, Object> body) {
        activity(contactId, body, null).then().statusCode(200);
    }

    Response contact(String id) {
        return given().auth().oauth2(TestTokens.forRoles("agent")).get(intake.url() + "/contacts/" + id);
    }

    Response timers(String contactId) {
        return given().auth().oauth2(TestTokens.forRoles("agent")).get(sla.url() + "/contacts/" + contactId + "/sla");
    }

    Response escalations(String contactId) {
        return given().auth().oauth2(TestTokens.forRoles("agent"))
                .get(escalation.url() + "/contacts/" + contactId + "/escalations");
    }

    Response compliance(String from, String to) {
        return given().auth().oauth2(TestTokens.forRoles("analyst"))
                .get(sla.url() + "/sla/compliance?from=" + from + "&to=" + to);
    }

    Response kpis(String from, String to) {
        return given().auth().oauth2(TestTokens.forRoles("analyst"))
                .get(feedback.url() + "/kpis?from=" + from + "&to=" + to);
    }

    /**
     * A what-if replay of {@code [from, to)} under {@code candidate} (null: the versions in force), followed to
     * its end; the job as {@code GET /insights/what-if/{id}} shows it last.
     */
    JsonPath whatIf(String candidate, String from, String to) {
        var request = given().auth().oauth2(TestTokens.forRoles("analyst")).queryParam("from", from).queryParam("to", to);
        if (candidate != null) {
            request = request.contentType("application/yaml").body(candidate.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        String location = request.post(feedback.url() + "/insights/what-if").then().statusCode(202).extract()
                .header("Location");
        JsonPath[] job = new JsonPath[1];
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(60)).until(() -> {
            job[0] = given().auth().oauth2(TestTokens.forRoles("analyst")).get(location).then().statusCode(200)
                    .extract().jsonPath();
            return !"running".equals(job[0].getString("state"));
        });
        return job[0];
    }

    /** The default policy with these {@code sla:} and {@code feedback:} sections in place of its own. */
    static String policyWith(String sla, String feedback) {
        String text = PolicyLoader.defaultPolicyText();
        return text.substring(0, text.indexOf("sla:\n")) + sla + "\n"
                + text.substring(text.indexOf("classification:\n"), text.indexOf("feedback:\n")) + feedback;
    }

    /** An answer to a survey, as the customer's browser sends it (no token but the survey's). */
    Response answer(String surveyToken, int score) {
        return given().contentType(ContentType.JSON).body(Map.of("token", surveyToken, "score", score))
                .post(feedback.url() + "/feedback");
    }

    @Override
    public void close() {
        for (ServiceProcess p : new ServiceProcess[] {feedback, escalation, sla, intake}) {
            p.close();
        }
    }
}
