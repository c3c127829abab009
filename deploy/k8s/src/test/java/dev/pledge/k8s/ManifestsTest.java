package dev.pledge.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import dev.pledge.events.Topics;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Keeps deploy/k8s and deploy/compose consistent with the code: topics with {@code events/}, environment
 * variables with each service's configuration, users' ACLs with what each service reads and writes,
 * selectors, secrets, probes, resources, images. Renders each overlay with {@code kubectl kustomize}; where
 * kubectl is missing those checks are skipped, loudly (and fail instead when {@code PLEDGE_REQUIRE_KUBECTL}
 * is set, as {@code .ci/run} sets it). Each failure names the file (or rendered overlay) and the key.
 */
class ManifestsTest {
    static final Path ROOT = Path.of(System.getProperty("user.dir")).resolve("../..").normalize();
    static final Path K8S = ROOT.resolve("deploy/k8s");
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    /** What each service writes through its outbox (DESIGN.md's topology); what it reads comes from its configuration. */
    static final Map<String, Set<String>> WRITES = Map.of(
            "intake-service", Set.of(Topics.CONTACT_EVENTS, Topics.SERVICE_POLICY),
            "sla-service", Set.of(Topics.SLA_EVENTS),
            "escalation-service", Set.of(Topics.ESCALATION_EVENTS),
            "feedback-service", Set.of(Topics.FEEDBACK_EVENTS));
    /** Secrets the installation provides (deploy/k8s/README.md says how): the token issuer's public key, the survey-token key. */
    static final Set<String> PROVIDED_SECRETS = Set.of("pledge-jwt", "pledge-feedback-token");
    /** Keys read by an extension with no line in application.properties. */
    static final Set<String> EXTENSION_KEYS = Set.of("mp.jwt.verify.publickey",
            // the reactive PostgreSQL client's TLS (quarkus-reactive-pg-client, quarkus-reactive-datasource 3.27)
            "quarkus.datasource.reactive.postgresql.ssl-mode", "quarkus.datasource.reactive.hostname-verification-algorithm",
            "quarkus.datasource.reactive.trust-certificate-pem", "quarkus.datasource.reactive.trust-certificate-pem.certs");
    static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([A-Z0-9_]+)");
    static final Pattern DATASOURCE = Pattern.compile("postgresql://([^:/]+)-rw:5432/([a-z_]+)");

    static Map<String, Service> services;
    static String version;

    /** A service module as its configuration describes it. */
    record Service(String name, Path module, int httpPort, int managementPort, Set<String> keys,
            Set<String> placeholders, Set<String> reads, Set<String> groups, Set<String> deadLetters,
            Properties settings) {

        boolean reads(String topic) {
            return reads.contains(topic);
        }

        Set<String> topics() {
            Set<String> all = new TreeSet<>(reads);
            all.addAll(WRITES.getOrDefault(name, Set.of()));
            all.addAll(deadLetters);
            return all;
        }
    }

    /** The service modules, read once for every test class of this module. */
    static Map<String, Service> services() throws IOException {
        if (services == null) {
            readServices();
        }
        return services;
    }

    @BeforeAll
    static void readServices() throws IOException {
        services = new LinkedHashMap<>();
        try (Stream<Path> dirs = Files.list(ROOT)) {
            for (Path dir : dirs.filter(d -> d.getFileName().toString().endsWith("-service")).sorted().toList()) {
                Path file = dir.resolve("src/main/resources/application.properties");
                if (Files.exists(file)) {
                    Service s = service(dir, file);
                    services.put(s.name(), s);
                }
            }
        }
        assertThat(services).as("services found under %s", ROOT).isNotEmpty();
        String pom = Files.readString(ROOT.resolve("pom.xml"));
        Matcher m = Pattern.compile("<artifactId>pledge-parent</artifactId>\\s*<version>([^<]+)</version>").matcher(pom);
        assertThat(m.find()).as("pom.xml names the project version").isTrue();
        version = m.group(1);
    }

    private static Service service(Path dir, Path file) throws IOException {
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            p.load(in);
        }
        Set<String> keys = new TreeSet<>();
        Set<String> placeholders = new TreeSet<>();
        Set<String> reads = new TreeSet<>();
        Set<String> groups = new TreeSet<>();
        for (String key : p.stringPropertyNames()) {
            String value = p.getProperty(key);
            String plain = key.startsWith("%") ? key.substring(key.indexOf('.') + 1) : key;
            keys.add(plain);
            Matcher m = PLACEHOLDER.matcher(value);
            while (m.find()) {
                placeholders.add(m.group(1));
            }
            if (plain.matches("mp\\.messaging\\.incoming\\.[^.]+\\.topics?")) {
                for (String t : value.split(",")) {
                    reads.add(t.strip());
                }
            }
            if (plain.matches("mp\\.messaging\\.incoming\\.[^.]+\\.group\\.id")) {
                groups.add(value.strip());
            }
        }
        if (Files.readString(dir.resolve("pom.xml")).contains("<artifactId>pledge-policy-feed</artifactId>")) {
            reads.add(Topics.SERVICE_POLICY); // every instance reads every policy version
        }
        String name = p.getProperty("quarkus.application.name");
        Set<String> deadLetters = new TreeSet<>();
        for (String t : reads) {
            if (!t.equals(Topics.SERVICE_POLICY)) {
                deadLetters.add(Topics.deadLetter(t, name));
            }
        }
        return new Service(name, dir, Integer.parseInt(p.getProperty("quarkus.http.port")),
                Integer.parseInt(p.getProperty("quarkus.management.port")), keys, placeholders, reads, groups, deadLetters, p);
    }

    // ---------------------------------------------------------------- environment variables

    /** Why {@code env} is not a setting of {@code s}, or null when it is one. */
    static String notASetting(Service s, String env) {
        if (env.startsWith("KAFKA_")) {
            String key = env.substring("KAFKA_".length()).toLowerCase().replace('_', '.');
            Set<String> kafka = new HashSet<>(ProducerConfig.configNames());
            kafka.addAll(ConsumerConfig.configNames());
            kafka.addAll(AdminClientConfig.configNames());
            return kafka.contains(key) ? null : "'kafka." + key + "' is not a Kafka client setting";
        }
        if (s.placeholders().contains(env)) {
            return null;
        }
        for (String key : s.keys()) {
            if (envName(key).equals(env)) {
                return null;
            }
        }
        for (String key : EXTENSION_KEYS) {
            if (envName(key).equals(env)) {
                return null;
            }
        }
        return "no configuration key of " + s.name() + " (" + s.module().relativize(s.module()
                .resolve("src/main/resources/application.properties")) + ") is " + env;
    }

    /** The environment variable MicroProfile Config reads for a key. */
    static String envName(String key) {
        return key.toUpperCase().replaceAll("[^A-Z0-9]", "_");
    }

    // ---------------------------------------------------------------- rendering

    static boolean kubectl() {
        try {
            Process p = new ProcessBuilder("kubectl", "version", "--client").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                return false;
            }
            Matcher m = Pattern.compile("Kustomize Version: v(\\d+)").matcher(out);
            return m.find() && Integer.parseInt(m.group(1)) >= 5; // older kustomize lacks labels and inline patch targets
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static final Map<String, List<JsonNode>> RENDERED = new java.util.HashMap<>();

    /** The overlay as {@code kubectl kustomize} renders it, once per test run. */
    static List<JsonNode> render(String overlay) throws Exception {
        List<JsonNode> docs = RENDERED.get(overlay);
        if (docs == null) {
            docs = renderNow(overlay);
            RENDERED.put(overlay, docs);
        }
        return docs;
    }

    private static List<JsonNode> renderNow(String overlay) throws Exception {
        if (!kubectl()) {
            String message = "\n\n*** ManifestsTest: kubectl with kustomize v5+ not found: deploy/k8s/overlays/" + overlay
                    + " was NOT rendered or checked. Install kubectl to run these checks (.ci/run does). ***\n";
            System.err.println(message);
            if (System.getenv("PLEDGE_REQUIRE_KUBECTL") != null) {
                fail(message);
            }
            Assumptions.abort(message);
        }
        Process p = new ProcessBuilder("kubectl", "kustomize", K8S.resolve("overlays/" + overlay).toString())
                .redirectErrorStream(false).start();
        byte[] out = p.getInputStream().readAllBytes();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("kubectl kustomize deploy/k8s/overlays/%s: %s", overlay, err).isZero();
        return documents(new String(out, StandardCharsets.UTF_8));
    }

    static List<JsonNode> documents(String yaml) throws IOException {
        List<JsonNode> docs = new ArrayList<>();
        try (YAMLParser parser = new YAMLFactory().createParser(yaml)) {
            var it = YAML.readValues(parser, JsonNode.class);
            while (it.hasNext()) {
                JsonNode n = it.next();
                if (n != null && !n.isMissingNode() && !n.isNull()) {
                    docs.add(n);
                }
            }
        }
        return docs;
    }

    static List<JsonNode> ofKind(List<JsonNode> docs, String kind) {
        return docs.stream().filter(d -> kind.equals(d.path("kind").asText())).toList();
    }

    static JsonNode named(List<JsonNode> docs, String kind, String name) {
        return docs.stream().filter(d -> kind.equals(d.path("kind").asText()) && name.equals(name(d))).findFirst()
                .orElse(MissingNode.getInstance());
    }

    static String name(JsonNode d) {
        return d.path("metadata").path("name").asText();
    }

    static String where(String overlay, JsonNode d) {
        return "deploy/k8s/overlays/" + overlay + " (rendered) " + d.path("kind").asText() + " '" + name(d) + "'";
    }

    // ---------------------------------------------------------------- checks on each overlay

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void everyTopicOfTheEventsModuleHasAKafkaTopicAndNothingElseDoes(String overlay) throws Exception {
        List<JsonNode> docs = render(overlay);
        Set<String> expected = new TreeSet<>(Topics.ALL);
        services.values().forEach(s -> expected.addAll(s.deadLetters()));
        Set<String> declared = new TreeSet<>();
        for (JsonNode t : ofKind(docs, "KafkaTopic")) {
            String topic = t.path("spec").path("topicName").asText(name(t));
            declared.add(topic);
            assertThat(expected).as("%s: not a topic events/Topics.java names, nor a service's dead-letter topic"
                    + " (deploy/k8s/base/kafka/topics.yaml)", where(overlay, t)).contains(topic);
            assertThat(t.path("spec").path("partitions").asInt()).as("%s: spec.partitions", where(overlay, t)).isPositive();
            assertThat(t.path("spec").path("config").has("retention.ms")).as("%s: spec.config.retention.ms stated",
                    where(overlay, t)).isTrue();
            if (overlay.equals("prod")) {
                assertThat(t.path("spec").path("replicas").asInt()).as("%s: spec.replicas", where(overlay, t)).isEqualTo(3);
                assertThat(t.path("spec").path("config").path("min.insync.replicas").asInt())
                        .as("%s: spec.config.min.insync.replicas", where(overlay, t)).isEqualTo(2);
            }
        }
        assertThat(declared).as("deploy/k8s/base/kafka/topics.yaml: a KafkaTopic for every topic").containsAll(expected);
        JsonNode policy = named(docs, "KafkaTopic", Topics.SERVICE_POLICY);
        assertThat(policy.path("spec").path("config").path("cleanup.policy").asText())
                .as("%s: spec.config.cleanup.policy", where(overlay, policy)).isEqualTo("compact");
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void everyServiceRunsWithItsOwnSettingsProbesLimitsAndImage(String overlay) throws Exception {
        List<JsonNode> docs = render(overlay);
        Set<String> secrets = secretsAvailable(docs);
        Set<String> deployments = new TreeSet<>();
        for (JsonNode d : ofKind(docs, "Deployment")) {
            String at = where(overlay, d);
            Service s = services.get(name(d));
            assertThat(s).as("%s: no service module of that name", at).isNotNull();
            deployments.add(name(d));
            JsonNode pod = d.path("spec").path("template").path("spec");
            assertThat(pod.path("securityContext").path("runAsNonRoot").asBoolean())
                    .as("%s: spec.template.spec.securityContext.runAsNonRoot", at).isTrue();
            for (JsonNode c : pod.path("containers")) {
                String ca = at + " container '" + c.path("name").asText() + "'";
                assertThat(c.path("image").asText()).as("%s: image", ca).isEqualTo("pledge/" + s.name() + ":" + version);
                assertThat(ports(c)).as("%s: ports", ca).containsEntry("http", s.httpPort())
                        .containsEntry("management", s.managementPort());
                for (String probe : List.of("readinessProbe", "livenessProbe")) {
                    JsonNode port = c.path(probe).path("httpGet").path("port");
                    assertThat(port.asText()).as("%s: %s.httpGet.port (the management port)", ca, probe)
                            .isIn("management", String.valueOf(s.managementPort()));
                }
                assertThat(missingResources(ca + ": resources", c.path("resources"))).as("%s: requests and limits", ca).isEmpty();
                assertThat(c.path("securityContext").path("readOnlyRootFilesystem").asBoolean())
                        .as("%s: securityContext.readOnlyRootFilesystem", ca).isTrue();
                for (JsonNode e : c.path("env")) {
                    String env = e.path("name").asText();
                    assertThat(notASetting(s, env)).as("%s: env %s", ca, env).isNull();
                    JsonNode ref = e.path("valueFrom").path("secretKeyRef");
                    if (!ref.isMissingNode()) {
                        assertThat(secrets).as("%s: env %s: secret '%s' is neither declared nor made by an operator",
                                ca, env, ref.path("name").asText()).contains(ref.path("name").asText());
                    }
                }
                for (JsonNode from : c.path("envFrom")) {
                    String cm = from.path("configMapRef").path("name").asText();
                    JsonNode map = named(docs, "ConfigMap", cm);
                    assertThat(map.isMissingNode()).as("%s: envFrom configMapRef '%s' exists", ca, cm).isFalse();
                    map.path("data").fieldNames().forEachRemaining(env ->
                            assertThat(notASetting(s, env)).as("%s: key %s", where(overlay, map), env).isNull());
                    checkDatabase(overlay, docs, map, s);
                }
            }
            for (JsonNode v : pod.path("volumes")) {
                String secret = v.path("secret").path("secretName").asText();
                if (!secret.isEmpty()) {
                    assertThat(secrets).as("%s: volume %s: secret '%s' is neither declared nor made by an operator", at,
                            v.path("name").asText(), secret).contains(secret);
                }
            }
            Path dockerfile = s.module().resolve("src/main/docker/Dockerfile.jvm");
            assertThat(dockerfile).as("%s: its image's Dockerfile", at).exists();
            assertThat(Files.readString(dockerfile)).as("%s: EXPOSE of the service's ports", dockerfile)
                    .contains("EXPOSE " + s.httpPort() + " " + s.managementPort());
        }
        assertThat(deployments).as("deploy/k8s/overlays/%s: a Deployment for every service module", overlay)
                .containsAll(services.keySet());
    }

    /** The datasource URL names a CloudNativePG cluster that bootstraps that database. */
    private static void checkDatabase(String overlay, List<JsonNode> docs, JsonNode configMap, Service s) {
        String url = configMap.path("data").path("QUARKUS_DATASOURCE_REACTIVE_URL").asText();
        Matcher m = DATASOURCE.matcher(url);
        assertThat(m.find()).as("%s: QUARKUS_DATASOURCE_REACTIVE_URL names a CloudNativePG '<cluster>-rw' service",
                where(overlay, configMap)).isTrue();
        JsonNode cluster = named(docs, "Cluster", m.group(1));
        assertThat(cluster.isMissingNode()).as("%s: cluster '%s' of QUARKUS_DATASOURCE_REACTIVE_URL exists",
                where(overlay, configMap), m.group(1)).isFalse();
        assertThat(cluster.path("spec").path("bootstrap").path("initdb").path("database").asText())
                .as("%s: spec.bootstrap.initdb.database (%s's database)", where(overlay, cluster), s.name())
                .isEqualTo(m.group(2));
        String jdbc = configMap.path("data").path("QUARKUS_DATASOURCE_JDBC_URL").asText();
        assertThat(jdbc).as("%s: QUARKUS_DATASOURCE_JDBC_URL (the reactive URL's database, with its TLS parameters)",
                where(overlay, configMap)).startsWith("jdbc:" + url + "?");
    }

    /** What {@code resources} lacks of requests and limits for cpu and memory, each as {@code <at>.<kind>.<resource>}. */
    static List<String> missingResources(String at, JsonNode resources) {
        List<String> missing = new ArrayList<>();
        for (String kind : List.of("requests", "limits")) {
            for (String resource : List.of("cpu", "memory")) {
                if (!resources.path(kind).has(resource)) {
                    missing.add(at + "." + kind + "." + resource);
                }
            }
        }
        return missing;
    }

    /** The CloudNativePG cluster the service's datasource URL names ({@code <cluster>-rw}), from its ConfigMap. */
    static String databaseCluster(String overlay, List<JsonNode> docs, Service s) {
        JsonNode configMap = named(docs, "ConfigMap", s.name());
        Matcher m = DATASOURCE.matcher(configMap.path("data").path("QUARKUS_DATASOURCE_REACTIVE_URL").asText());
        assertThat(m.find()).as("%s: QUARKUS_DATASOURCE_REACTIVE_URL names a CloudNativePG '<cluster>-rw' service",
                where(overlay, configMap)).isTrue();
        return m.group(1);
    }

    static Map<String, Integer> ports(JsonNode container) {
        Map<String, Integer> ports = new LinkedHashMap<>();
        container.path("ports").forEach(p -> ports.put(p.path("name").asText(), p.path("containerPort").asInt()));
        return ports;
    }

    /** Declared Secrets, those CloudNativePG and Strimzi make for the declared clusters (owner, CA) and users, and provided ones. */
    static Set<String> secretsAvailable(List<JsonNode> docs) {
        Set<String> secrets = new TreeSet<>(PROVIDED_SECRETS);
        ofKind(docs, "Secret").forEach(d -> secrets.add(name(d)));
        ofKind(docs, "Cluster").forEach(d -> {
            secrets.add(name(d) + "-app");
            secrets.add(name(d) + "-ca");
        });
        ofKind(docs, "Kafka").forEach(d -> secrets.add(name(d) + "-cluster-ca-cert"));
        ofKind(docs, "KafkaUser").forEach(d -> secrets.add(name(d)));
        return secrets;
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void servicesSelectTheirDeploymentsPods(String overlay) throws Exception {
        List<JsonNode> docs = render(overlay);
        for (JsonNode svc : ofKind(docs, "Service")) {
            Map<String, String> selector = strings(svc.path("spec").path("selector"));
            assertThat(selector).as("%s: spec.selector", where(overlay, svc)).isNotEmpty();
            List<JsonNode> matching = ofKind(docs, "Deployment").stream().filter(d -> strings(d.path("spec")
                    .path("template").path("metadata").path("labels")).entrySet().containsAll(selector.entrySet())).toList();
            assertThat(matching).as("%s: spec.selector %s matches one Deployment's pods", where(overlay, svc), selector)
                    .hasSize(1);
            Map<String, Integer> ports = ports(matching.get(0).path("spec").path("template").path("spec")
                    .path("containers").get(0));
            for (JsonNode port : svc.path("spec").path("ports")) {
                String target = port.path("targetPort").asText();
                assertThat(ports.containsKey(target) || ports.containsValue(port.path("targetPort").asInt()))
                        .as("%s: targetPort %s is a port of %s", where(overlay, svc), target, name(matching.get(0))).isTrue();
            }
        }
        for (JsonNode pdb : ofKind(docs, "PodDisruptionBudget")) {
            Map<String, String> selector = strings(pdb.path("spec").path("selector").path("matchLabels"));
            assertThat(ofKind(docs, "Deployment").stream().filter(d -> strings(d.path("spec").path("template")
                    .path("metadata").path("labels")).entrySet().containsAll(selector.entrySet())).count())
                    .as("%s: spec.selector.matchLabels matches one Deployment", where(overlay, pdb)).isEqualTo(1);
        }
    }

    static Map<String, String> strings(JsonNode object) {
        Map<String, String> m = new LinkedHashMap<>();
        object.fields().forEachRemaining(e -> m.put(e.getKey(), e.getValue().asText()));
        return m;
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void eachKafkaUserMayTouchExactlyTheTopicsAndGroupsItsServiceUses(String overlay) throws Exception {
        List<JsonNode> docs = render(overlay);
        Set<String> users = new TreeSet<>();
        for (JsonNode u : ofKind(docs, "KafkaUser")) {
            String at = where(overlay, u) + " (deploy/k8s/base/kafka/users.yaml)";
            Service s = services.get(name(u));
            assertThat(s).as("%s: no service of that name", at).isNotNull();
            users.add(name(u));
            Set<String> read = new TreeSet<>();
            Set<String> written = new TreeSet<>();
            Set<String> topics = new TreeSet<>();
            Set<String> groups = new TreeSet<>();
            for (JsonNode acl : u.path("spec").path("authorization").path("acls")) {
                String type = acl.path("resource").path("type").asText();
                String resource = acl.path("resource").path("name").asText();
                assertThat(acl.path("resource").path("patternType").asText("literal")).as("%s: %s patternType", at, resource)
                        .isEqualTo("literal");
                Set<String> ops = new HashSet<>();
                acl.path("operations").forEach(o -> ops.add(o.asText()));
                if (type.equals("topic")) {
                    topics.add(resource);
                    if (ops.contains("Read")) {
                        read.add(resource);
                    }
                    if (ops.contains("Write")) {
                        written.add(resource);
                    }
                } else if (type.equals("group")) {
                    groups.add(resource);
                }
            }
            assertThat(topics).as("%s: spec.authorization.acls topics", at).isEqualTo(s.topics());
            assertThat(read).as("%s: topics with Read", at).isEqualTo(s.reads());
            Set<String> writes = new TreeSet<>(WRITES.getOrDefault(s.name(), Set.of()));
            writes.addAll(s.deadLetters());
            assertThat(written).as("%s: topics with Write", at).isEqualTo(writes);
            assertThat(groups).as("%s: groups", at).isEqualTo(s.groups());
        }
        assertThat(users).as("deploy/k8s/overlays/%s: a KafkaUser per service", overlay).isEqualTo(services.keySet());
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void consumersScaleOnTheirLagUpToTheirPartitionsAndIntakeOnCpu(String overlay) throws Exception {
        List<JsonNode> docs = render(overlay);
        Set<String> secrets = secretsAvailable(docs);
        for (Service s : services.values()) {
            if (s.groups().isEmpty()) {
                JsonNode hpa = named(docs, "HorizontalPodAutoscaler", s.name());
                assertThat(hpa.path("spec").path("scaleTargetRef").path("name").asText())
                        .as("deploy/k8s/overlays/%s: a HorizontalPodAutoscaler for %s", overlay, s.name()).isEqualTo(s.name());
                continue;
            }
            JsonNode so = named(docs, "ScaledObject", s.name());
            String at = where(overlay, so);
            assertThat(so.isMissingNode()).as("deploy/k8s/overlays/%s: a ScaledObject for %s", overlay, s.name()).isFalse();
            assertThat(so.path("spec").path("scaleTargetRef").path("name").asText()).as("%s: scaleTargetRef", at)
                    .isEqualTo(s.name());
            int partitions = s.reads().stream().filter(t -> !t.equals(Topics.SERVICE_POLICY))
                    .mapToInt(t -> named(docs, "KafkaTopic", t).path("spec").path("partitions").asInt()).min().orElseThrow();
            assertThat(so.path("spec").path("maxReplicaCount").asInt()).as("%s: maxReplicaCount (partitions: %d)", at,
                    partitions).isBetween(1, partitions);
            Set<String> triggered = new TreeSet<>();
            for (JsonNode trigger : so.path("spec").path("triggers")) {
                assertThat(trigger.path("metadata").path("consumerGroup").asText()).as("%s: consumerGroup", at)
                        .isIn(s.groups());
                triggered.add(trigger.path("metadata").path("topic").asText());
                // the services start a new group at the earliest offset: KEDA's default (latest) counts such a
                // partition's backlog as 1, so a backlog would never scale out
                assertThat(trigger.path("metadata").path("offsetResetPolicy").asText()).as("%s: trigger on %s:"
                        + " metadata.offsetResetPolicy", at, trigger.path("metadata").path("topic").asText())
                        .isEqualTo("earliest");
                String auth = trigger.path("authenticationRef").path("name").asText();
                JsonNode ta = named(docs, "TriggerAuthentication", auth);
                assertThat(ta.isMissingNode()).as("%s: TriggerAuthentication '%s' exists", at, auth).isFalse();
                ta.path("spec").path("secretTargetRef").forEach(ref -> assertThat(secrets)
                        .as("%s: secret '%s'", where(overlay, ta), ref.path("name").asText()).contains(ref.path("name").asText()));
            }
            Set<String> consumed = new TreeSet<>(s.reads());
            consumed.remove(Topics.SERVICE_POLICY);
            assertThat(triggered).as("%s: a trigger per topic the service reads (metadata.topic)", at).isEqualTo(consumed);
        }
    }

    /** A rollout drops no request: readiness DOWN first, serving on while endpoints update, then in-flight work finishes. */
    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void everyServiceShutsDownGracefullyWithinItsGracePeriod(String overlay) throws Exception {
        List<JsonNode> docs = render(overlay);
        for (Service s : services.values()) {
            Properties p = s.settings();
            String props = s.module().getFileName() + "/src/main/resources/application.properties";
            assertThat(p.getProperty("quarkus.shutdown.delay-enabled")).as("%s: quarkus.shutdown.delay-enabled", props)
                    .isEqualTo("true");
            assertThat(p.getProperty("quarkus.shutdown.timeout")).as("%s: quarkus.shutdown.timeout", props).isNotNull();
            long timeout = java.time.Duration.parse("PT" + p.getProperty("quarkus.shutdown.timeout").toUpperCase()).toSeconds();
            JsonNode configMap = named(docs, "ConfigMap", s.name());
            String delay = configMap.path("data").path("QUARKUS_SHUTDOWN_DELAY").asText();
            assertThat(delay).as("%s: data.QUARKUS_SHUTDOWN_DELAY", where(overlay, configMap)).isNotEmpty();
            long delaySeconds = java.time.Duration.parse("PT" + delay.toUpperCase()).toSeconds();
            assertThat(delaySeconds).as("%s: data.QUARKUS_SHUTDOWN_DELAY", where(overlay, configMap)).isPositive();
            JsonNode deployment = named(docs, "Deployment", s.name());
            assertThat(deployment.path("spec").path("template").path("spec").path("terminationGracePeriodSeconds").asLong(30))
                    .as("%s: terminationGracePeriodSeconds > shutdown delay %d s + timeout %d s", where(overlay, deployment),
                            delaySeconds, timeout).isGreaterThan(delaySeconds + timeout);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void noDeploymentAnAutoscalerOwnsSetsReplicas(String overlay) throws Exception {
        List<JsonNode> docs = render(overlay);
        Set<String> scaled = new TreeSet<>();
        ofKind(docs, "HorizontalPodAutoscaler").forEach(h -> scaled.add(h.path("spec").path("scaleTargetRef").path("name").asText()));
        ofKind(docs, "ScaledObject").forEach(o -> scaled.add(o.path("spec").path("scaleTargetRef").path("name").asText()));
        for (JsonNode deployment : ofKind(docs, "Deployment")) {
            if (scaled.contains(name(deployment))) {
                assertThat(deployment.path("spec").has("replicas")).as("%s: spec.replicas, though an autoscaler owns the"
                        + " count (every apply would reset it)", where(overlay, deployment)).isFalse();
            }
        }
        assertThat(scaled).as("deploy/k8s/overlays/%s: every service is autoscaled", overlay).containsAll(services.keySet());
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void everyServiceIsScrapedOnItsManagementPort(String overlay) throws Exception {
        List<JsonNode> docs = render(overlay);
        for (Service s : services.values()) {
            JsonNode sm = named(docs, "ServiceMonitor", s.name());
            assertThat(sm.isMissingNode()).as("deploy/k8s/overlays/%s: a ServiceMonitor for %s (base/services/monitoring.yaml)",
                    overlay, s.name()).isFalse();
            Map<String, String> selector = strings(sm.path("spec").path("selector").path("matchLabels"));
            JsonNode svc = named(docs, "Service", s.name());
            assertThat(strings(svc.path("metadata").path("labels")).entrySet())
                    .as("%s: spec.selector.matchLabels selects Service %s", where(overlay, sm), s.name())
                    .containsAll(selector.entrySet());
            JsonNode endpoint = sm.path("spec").path("endpoints").get(0);
            assertThat(endpoint.path("port").asText()).as("%s: endpoints[0].port", where(overlay, sm)).isEqualTo("management");
            assertThat(endpoint.path("path").asText()).as("%s: endpoints[0].path", where(overlay, sm)).isEqualTo("/q/metrics");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void everyMonitorCarriesTheOneLabelAPrometheusSelectsBy(String overlay) throws Exception {
        List<JsonNode> docs = render(overlay);
        Set<String> releases = new TreeSet<>();
        for (JsonNode monitor : docs.stream().filter(d -> d.path("apiVersion").asText().startsWith("monitoring.coreos.com/"))
                .toList()) {
            String release = monitor.path("metadata").path("labels").path("release").asText();
            assertThat(release).as("%s: metadata.labels.release (base/kustomization.yaml sets it)", where(overlay, monitor))
                    .isNotEmpty();
            releases.add(release);
        }
        assertThat(releases).as("deploy/k8s/overlays/%s: one release label on every monitor", overlay).hasSize(1);
    }

    @Test
    void theDashboardQueriesOnlyMetricsTheCodeRegisters() throws IOException {
        Set<String> registered = new TreeSet<>();
        Pattern registration = Pattern.compile("(?:Counter|Timer|DistributionSummary)\\.builder\\(\"(pledge\\.[a-z.]+)\"|"
                + "(?:gauge|counter|timer|summary)\\(\"(pledge\\.[a-z.]+)\"");
        try (Stream<Path> files = Files.walk(ROOT)) {
            for (Path f : files.filter(f -> f.toString().endsWith(".java") && f.toString().contains("/src/main/java/"))
                    .toList()) {
                Matcher m = registration.matcher(Files.readString(f));
                while (m.find()) {
                    registered.add((m.group(1) != null ? m.group(1) : m.group(2)).replace('.', '_'));
                }
            }
        }
        Path dashboard = ROOT.resolve("deploy/grafana/pledge.json");
        Matcher used = Pattern.compile("pledge_[a-z_]+").matcher(Files.readString(dashboard));
        int count = 0;
        while (used.find()) {
            String metric = used.group();
            String base = metric.replaceAll("(_seconds)?(_total|_count|_sum|_max|_bucket)?$", "");
            assertThat(registered).as("%s: %s is not a metric the code registers (%s)", dashboard.getFileName(), metric,
                    registered).containsAnyOf(base, metric);
            count++;
        }
        assertThat(count).as("%s queries Pledge's own metrics", dashboard.getFileName()).isPositive();
        Matcher lag = Pattern.compile("kafka_consumergroup_lag\\{consumergroup=~\\\\\"([^\\\\\"]+)").matcher(Files.readString(dashboard));
        assertThat(lag.find()).as("%s: a consumer lag panel (kafka_consumergroup_lag{consumergroup=~...})",
                dashboard.getFileName()).isTrue();
        Set<String> groups = new TreeSet<>();
        services.values().forEach(s -> groups.addAll(s.groups()));
        assertThat(Set.of(lag.group(1).split("\\|"))).as("%s: the lag panel's consumer groups", dashboard.getFileName())
                .isEqualTo(groups);
    }

    // ---------------------------------------------------------------- the AsyncAPI document

    /**
     * docs/asyncapi.yaml says who sends and who receives each topic as the services' configuration does (what they
     * read, their dead-letter topics, {@link #WRITES}), and each channel's bindings as the prod overlay keeps the topic.
     */
    @Test
    void theAsyncApiDocumentSaysWhoSendsAndReceivesEachTopicAndHowItIsKept() throws Exception {
        JsonNode document = YAML.readTree(ROOT.resolve("docs/asyncapi.yaml").toFile());
        Map<String, String> addressOf = new LinkedHashMap<>();
        document.path("channels").fields().forEachRemaining(c -> addressOf.put(c.getKey(), c.getValue().path("address").asText()));
        Set<String> documented = new TreeSet<>();
        document.path("operations").forEach(op -> documented.add(op.path("x-service").asText() + " "
                + op.path("action").asText() + " " + addressOf.get(op.path("channel").path("$ref").asText().replace("#/channels/", ""))));
        Set<String> configured = new TreeSet<>();
        for (Service s : services.values()) {
            s.reads().forEach(t -> configured.add(s.name() + " receive " + t));
            WRITES.getOrDefault(s.name(), Set.of()).forEach(t -> configured.add(s.name() + " send " + t));
            s.deadLetters().forEach(t -> configured.add(s.name() + " send " + t));
        }
        assertThat(documented).as("docs/asyncapi.yaml: operations as '<x-service> <action> <channel address>'")
                .isEqualTo(configured);

        List<JsonNode> prod = render("prod");
        for (Map.Entry<String, String> channel : addressOf.entrySet()) {
            JsonNode topic = named(prod, "KafkaTopic", channel.getValue()).path("spec");
            JsonNode kafka = document.path("channels").path(channel.getKey()).path("bindings").path("kafka");
            String at = "docs/asyncapi.yaml: channels." + channel.getKey() + ".bindings.kafka";
            assertThat(topic.isMissingNode()).as("%s: the prod overlay has no KafkaTopic %s", at, channel.getValue()).isFalse();
            assertThat(kafka.path("partitions").asInt()).as("%s.partitions", at).isEqualTo(topic.path("partitions").asInt());
            assertThat(kafka.path("replicas").asInt()).as("%s.replicas", at).isEqualTo(topic.path("replicas").asInt());
            JsonNode config = kafka.path("topicConfiguration");
            assertThat(config.path("retention.ms").asLong()).as("%s.topicConfiguration.retention.ms", at)
                    .isEqualTo(topic.path("config").path("retention.ms").asLong());
            assertThat(config.path("cleanup.policy").path(0).asText()).as("%s.topicConfiguration.cleanup.policy", at)
                    .isEqualTo(topic.path("config").path("cleanup.policy").asText("delete"));
        }
    }

    // ---------------------------------------------------------------- compose

    @Test
    void composeRunsTheSameServicesPortsImagesAndSettings() throws IOException {
        Path file = ROOT.resolve("deploy/compose/compose.yaml");
        JsonNode compose = YAML.readTree(file.toFile());
        for (Service s : services.values()) {
            JsonNode c = compose.path("services").path(s.name());
            String at = file.getFileName() + ": services." + s.name();
            assertThat(c.isMissingNode()).as("%s exists", at).isFalse();
            assertThat(c.path("image").asText()).as("%s.image", at).isEqualTo("pledge/" + s.name() + ":" + version);
            List<String> ports = new ArrayList<>();
            c.path("ports").forEach(p -> ports.add(p.asText()));
            assertThat(ports).as("%s.ports", at).contains(s.httpPort() + ":" + s.httpPort(),
                    s.managementPort() + ":" + s.managementPort());
            c.path("environment").fieldNames().forEachRemaining(env ->
                    assertThat(notASetting(s, env)).as("%s.environment.%s", at, env).isNull());
            String db = c.path("environment").path("QUARKUS_DATASOURCE_REACTIVE_URL").asText();
            String database = db.substring(db.lastIndexOf('/') + 1);
            assertThat(Files.readString(file.resolveSibling("init-databases.sql")))
                    .as("init-databases.sql creates %s's database", s.name()).contains("CREATE DATABASE " + database + ";");
        }
        String topics = compose.path("services").path("topics").path("command").toString();
        for (String topic : Topics.ALL) {
            assertThat(topics).as("%s: services.topics creates %s", file.getFileName(), topic).contains(topic);
        }
    }
}
