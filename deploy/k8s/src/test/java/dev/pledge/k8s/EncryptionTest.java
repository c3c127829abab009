package dev.pledge.k8s;

import static dev.pledge.k8s.ManifestsTest.named;
import static dev.pledge.k8s.ManifestsTest.ofKind;
import static dev.pledge.k8s.ManifestsTest.render;
import static dev.pledge.k8s.ManifestsTest.services;
import static dev.pledge.k8s.ManifestsTest.where;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pledge.k8s.ManifestsTest.Service;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every connection a service opens is encrypted and checks whom it talks to: Kafka over TLS with SCRAM inside it, the
 * broker's certificate checked against Strimzi's cluster CA; PostgreSQL with {@code verify-full} against
 * CloudNativePG's CA for that cluster; KEDA's lag checks the same way. Each CA is mounted from the Secret its operator
 * writes, the certificate alone. Each failure names the rendered object and the setting.
 */
class EncryptionTest {

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void theServicesReachKafkaOverTlsWithScramAndCheckTheBrokersCertificate(String overlay) throws Exception {
        List<JsonNode> docs = render(overlay);
        JsonNode kafka = ofKind(docs, "Kafka").get(0);
        String kafkaName = kafka.path("metadata").path("name").asText();
        Set<Integer> tlsPorts = new TreeSet<>();
        for (JsonNode l : kafka.path("spec").path("kafka").path("listeners")) {
            String at = where(overlay, kafka) + ": spec.kafka.listeners[" + l.path("name").asText() + "]";
            assertThat(l.path("tls").asBoolean()).as("%s.tls", at).isTrue();
            assertThat(l.path("authentication").path("type").asText()).as("%s.authentication.type", at).isEqualTo("scram-sha-512");
            tlsPorts.add(l.path("port").asInt());
        }
        String caSecret = kafkaName + "-cluster-ca-cert";
        for (Service s : services().values()) {
            Map<String, String> env = settings(docs, s);
            String at = where(overlay, named(docs, "ConfigMap", s.name()));
            assertThat(env.get("KAFKA_BOOTSTRAP_SERVERS")).as("%s: KAFKA_BOOTSTRAP_SERVERS, a TLS listener %s", at, tlsPorts)
                    .isIn(tlsPorts.stream().map(p -> kafkaName + "-kafka-bootstrap:" + p).toList());
            assertThat(env.get("KAFKA_SECURITY_PROTOCOL")).as("%s: KAFKA_SECURITY_PROTOCOL", at).isEqualTo("SASL_SSL");
            assertThat(env.get("KAFKA_SASL_MECHANISM")).as("%s: KAFKA_SASL_MECHANISM", at).isEqualTo("SCRAM-SHA-512");
            assertThat(env).as("%s: the broker's host name is checked (no KAFKA_SSL_ENDPOINT_IDENTIFICATION_ALGORITHM)", at)
                    .doesNotContainKey("KAFKA_SSL_ENDPOINT_IDENTIFICATION_ALGORITHM");
            assertThat(env.get("KAFKA_SSL_TRUSTSTORE_TYPE")).as("%s: KAFKA_SSL_TRUSTSTORE_TYPE", at).isEqualTo("PEM");
            assertThat(mounted(docs, s, env.get("KAFKA_SSL_TRUSTSTORE_LOCATION")))
                    .as("%s: KAFKA_SSL_TRUSTSTORE_LOCATION, Strimzi's cluster CA certificate mounted alone", at)
                    .isEqualTo(caSecret + "/ca.crt");
        }
        for (JsonNode so : ofKind(docs, "ScaledObject")) {
            for (JsonNode t : so.path("spec").path("triggers")) {
                String at = where(overlay, so) + ": trigger on " + t.path("metadata").path("topic").asText();
                assertThat(t.path("metadata").path("bootstrapServers").asText()).as("%s: bootstrapServers", at)
                        .isIn(tlsPorts.stream().map(p -> kafkaName + "-kafka-bootstrap:" + p).toList());
                assertThat(t.path("metadata").path("tls").asText()).as("%s: tls", at).isEqualTo("enable");
                JsonNode auth = named(docs, "TriggerAuthentication", t.path("authenticationRef").path("name").asText());
                Set<String> ca = new TreeSet<>();
                auth.path("spec").path("secretTargetRef").forEach(r -> {
                    if ("ca".equals(r.path("parameter").asText())) {
                        ca.add(r.path("name").asText() + "/" + r.path("key").asText());
                    }
                });
                assertThat(ca).as("%s: its TriggerAuthentication's ca", at).containsExactly(caSecret + "/ca.crt");
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void theServicesReachPostgresqlWithVerifyFull(String overlay) throws Exception {
        List<JsonNode> docs = render(overlay);
        for (Service s : services().values()) {
            Map<String, String> env = settings(docs, s);
            String at = where(overlay, named(docs, "ConfigMap", s.name()));
            String cluster = ManifestsTest.databaseCluster(overlay, docs, s);
            String ca = cluster + "-ca/ca.crt";
            assertThat(env.get("QUARKUS_DATASOURCE_REACTIVE_POSTGRESQL_SSL_MODE")).as("%s: QUARKUS_DATASOURCE_REACTIVE_POSTGRESQL_SSL_MODE", at)
                    .isEqualTo("verify-full");
            assertThat(env.get("QUARKUS_DATASOURCE_REACTIVE_HOSTNAME_VERIFICATION_ALGORITHM"))
                    .as("%s: QUARKUS_DATASOURCE_REACTIVE_HOSTNAME_VERIFICATION_ALGORITHM", at).isEqualTo("HTTPS");
            assertThat(env.get("QUARKUS_DATASOURCE_REACTIVE_TRUST_CERTIFICATE_PEM")).as("%s: QUARKUS_DATASOURCE_REACTIVE_TRUST_CERTIFICATE_PEM", at)
                    .isEqualTo("true");
            String certs = env.get("QUARKUS_DATASOURCE_REACTIVE_TRUST_CERTIFICATE_PEM_CERTS");
            assertThat(mounted(docs, s, certs)).as("%s: QUARKUS_DATASOURCE_REACTIVE_TRUST_CERTIFICATE_PEM_CERTS, CloudNativePG's "
                    + "CA certificate for %s mounted alone", at, cluster).isEqualTo(ca);
            Map<String, String> jdbc = query(env.getOrDefault("QUARKUS_DATASOURCE_JDBC_URL", ""));
            assertThat(jdbc).as("%s: QUARKUS_DATASOURCE_JDBC_URL's parameters", at)
                    .containsEntry("sslmode", "verify-full").containsEntry("sslrootcert", certs);
        }
    }

    /** The service's settings: its ConfigMap's data and its container's literal env. */
    static Map<String, String> settings(List<JsonNode> docs, Service s) {
        Map<String, String> env = new HashMap<>();
        named(docs, "ConfigMap", s.name()).path("data").fields().forEachRemaining(e -> env.put(e.getKey(), e.getValue().asText()));
        container(docs, s).path("env").forEach(e -> {
            if (e.has("value")) {
                env.put(e.path("name").asText(), e.path("value").asText());
            }
        });
        return env;
    }

    static JsonNode container(List<JsonNode> docs, Service s) {
        return named(docs, "Deployment", s.name()).path("spec").path("template").path("spec").path("containers").get(0);
    }

    /**
     * Where a file in the service's container comes from, as {@code <secret>/<key>}, when it is a Secret volume that
     * mounts nothing but its listed items; otherwise what it is instead.
     */
    static String mounted(List<JsonNode> docs, Service s, String file) {
        if (file == null) {
            return "(not set)";
        }
        JsonNode pod = named(docs, "Deployment", s.name()).path("spec").path("template").path("spec");
        for (JsonNode mount : container(docs, s).path("volumeMounts")) {
            String dir = mount.path("mountPath").asText().replaceAll("/$", "");
            if (!file.startsWith(dir + "/")) {
                continue;
            }
            String rest = file.substring(dir.length() + 1);
            for (JsonNode v : pod.path("volumes")) {
                if (!v.path("name").asText().equals(mount.path("name").asText())) {
                    continue;
                }
                JsonNode secret = v.path("secret");
                if (secret.isMissingNode()) {
                    return file + " is on volume " + v.path("name").asText() + ", not a Secret";
                }
                if (secret.path("items").isEmpty()) {
                    return file + " is on a volume of every key of Secret " + secret.path("secretName").asText();
                }
                for (JsonNode item : secret.path("items")) {
                    if (item.path("path").asText().equals(rest)) {
                        return secret.path("secretName").asText() + "/" + item.path("key").asText();
                    }
                }
                return file + " is no item of volume " + v.path("name").asText();
            }
        }
        return file + " is on no volume";
    }

    static Map<String, String> query(String url) {
        Map<String, String> parameters = new HashMap<>();
        int q = url.indexOf('?');
        if (q >= 0) {
            for (String p : url.substring(q + 1).split("&")) {
                int eq = p.indexOf('=');
                parameters.put(eq < 0 ? p : p.substring(0, eq), eq < 0 ? "" : p.substring(eq + 1));
            }
        }
        return parameters;
    }
}
