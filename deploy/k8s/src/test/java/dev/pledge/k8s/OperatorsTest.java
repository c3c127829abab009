package dev.pledge.k8s;

import static dev.pledge.k8s.ManifestsTest.K8S;
import static dev.pledge.k8s.ManifestsTest.render;
import static dev.pledge.k8s.ManifestsTest.where;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The operators deploy/k8s/README.md installs, and what the manifests ask of them: exact versions, the API the pinned
 * Strimzi serves and a Kafka version it supports. A fresh install once stopped at its first apply because the README
 * installed Strimzi {@code latest} (1.x serves only {@code kafka.strimzi.io/v1}) while every object here was
 * {@code v1beta2}.
 */
class OperatorsTest {
    /** The Strimzi the README installs, and from its release notes: the one API it serves, the Kafka versions it runs. */
    static final String STRIMZI = "1.0.0";
    static final String STRIMZI_API = "kafka.strimzi.io/v1";
    static final Set<String> STRIMZI_KAFKA_VERSIONS = Set.of("4.1.0", "4.1.1", "4.1.2");
    static final String CLOUDNATIVE_PG = "1.30.0";

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void everyStrimziObjectUsesTheApiAndAKafkaVersionThePinnedStrimziServes(String overlay) throws Exception {
        List<JsonNode> docs = render(overlay);
        int strimzi = 0;
        for (JsonNode d : docs) {
            String api = d.path("apiVersion").asText();
            if (api.startsWith("kafka.strimzi.io/") || api.startsWith("core.strimzi.io/")) {
                strimzi++;
                assertThat(api).as("%s: apiVersion (Strimzi %s serves only %s)", where(overlay, d), STRIMZI, STRIMZI_API)
                        .isEqualTo(STRIMZI_API);
            }
            if ("Kafka".equals(d.path("kind").asText())) {
                assertThat(d.path("spec").path("kafka").path("version").asText())
                        .as("%s: spec.kafka.version, one Strimzi %s supports", where(overlay, d), STRIMZI)
                        .isIn(STRIMZI_KAFKA_VERSIONS);
            }
        }
        assertThat(strimzi).as("deploy/k8s/overlays/%s: Strimzi objects", overlay).isPositive();
    }

    /** The README installs operators at exact versions: {@code latest} moved under it once. */
    @Test
    void theReadmeInstallsEveryOperatorAtThePinnedVersion() throws IOException {
        Path readme = K8S.resolve("README.md");
        List<String> lines = Files.readAllLines(readme);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.contains("https://") && (line.contains("kubectl") || line.contains("curl"))) {
                assertThat(line).as("deploy/k8s/README.md:%d installs from a moving address", i + 1)
                        .doesNotContainIgnoringCase("latest").containsPattern("\\d+\\.\\d+\\.\\d+");
            }
            if (line.strip().startsWith("apiVersion: kafka.strimzi.io/")) {
                assertThat(line.strip()).as("deploy/k8s/README.md:%d: an example Strimzi %s would refuse", i + 1, STRIMZI)
                        .isEqualTo("apiVersion: " + STRIMZI_API);
            }
        }
        String text = String.join("\n", lines);
        assertThat(text).as("deploy/k8s/README.md installs Strimzi %s", STRIMZI)
                .contains("releases/download/" + STRIMZI + "/strimzi-cluster-operator-" + STRIMZI + ".yaml")
                .as("deploy/k8s/README.md installs CloudNativePG %s", CLOUDNATIVE_PG)
                .contains("/cnpg-" + CLOUDNATIVE_PG + ".yaml");
    }
}
