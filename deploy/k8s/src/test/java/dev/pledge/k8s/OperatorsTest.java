package dev.pledge.k8s;

import static dev.pledge.k8s.ManifestsTest.K8S;
import static dev.pledge.k8s.ManifestsTest.name;
import static dev.pledge.k8s.ManifestsTest.ofKind;
import static dev.pledge.k8s.ManifestsTest.render;
import static dev.pledge.k8s.ManifestsTest.where;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
    static final Path WORKFLOW = ManifestsTest.ROOT.resolve(".github/workflows/k8s-smoke.yml");

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

    /** The operators are installed at exact versions, the script's and the README table's the same: {@code latest} moved under it once. */
    @Test
    void everyOperatorIsInstalledAtThePinnedVersion() throws IOException {
        Path script = K8S.resolve("install-operators");
        Map<String, String> pinned = new TreeMap<>();
        Matcher m = Pattern.compile("(?m)^([A-Z_]+)=(\\d+\\.\\d+\\.\\d+)$").matcher(Files.readString(script));
        while (m.find()) {
            pinned.put(m.group(1), m.group(2));
        }
        assertThat(pinned).as("deploy/k8s/install-operators: the pinned versions")
                .containsEntry("STRIMZI", STRIMZI).containsEntry("CLOUDNATIVE_PG", CLOUDNATIVE_PG)
                .containsKeys("KEDA", "CERT_MANAGER", "BARMAN_CLOUD_PLUGIN");
        Map<String, String> table = new TreeMap<>();
        Matcher row = Pattern.compile("(?m)^\\| ([A-Za-z -]+?)(?: \\(prod\\))? \\| (\\d+\\.\\d+\\.\\d+) \\|").matcher(
                Files.readString(K8S.resolve("README.md")));
        while (row.find()) {
            table.put(row.group(1).toUpperCase().replace("CLOUDNATIVEPG", "CLOUDNATIVE_PG").replace(' ', '_').replace('-', '_'),
                    row.group(2));
        }
        assertThat(table).as("deploy/k8s/README.md: the table of pinned operators").isEqualTo(pinned);
        for (Path file : List.of(script, K8S.resolve("README.md"), WORKFLOW)) {
            List<String> lines = Files.readAllLines(file);
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i);
                if (line.contains("https://") && (line.contains("kubectl") || line.contains("curl") || line.contains("\\"))) {
                    assertThat(line).as("%s:%d installs from a moving address", ManifestsTest.ROOT.relativize(file), i + 1)
                            .doesNotContainIgnoringCase("latest").containsPattern("\\d+\\.\\d+\\.\\d+|\\$\\{?[A-Z_]+");
                }
                if (line.strip().startsWith("apiVersion: kafka.strimzi.io/")) {
                    assertThat(line.strip()).as("%s:%d: an object Strimzi %s would refuse", ManifestsTest.ROOT.relativize(file), i + 1, STRIMZI)
                            .isEqualTo("apiVersion: " + STRIMZI_API);
                }
            }
        }
    }

    /**
     * The kind smoke test (GitHub Actions, where Docker is) installs what the README installs and runs what the dev
     * overlay runs: every service's image under the name the manifests use, the install script, the overlay, the TLS
     * listener.
     */
    @Test
    void theKindSmokeWorkflowRunsTheDevOverlayAsTheReadmeSays() throws Exception {
        String workflow = Files.readString(WORKFLOW);
        Matcher loop = Pattern.compile("for s in ([a-z -]+); do\\s+docker build -f \\$s/src/main/docker/Dockerfile\\.jvm -t "
                + "pledge/\\$s:\\$VERSION \\$s").matcher(workflow);
        assertThat(loop.find()).as("%s: a docker build of pledge/$s:$VERSION for each service", ManifestsTest.ROOT.relativize(WORKFLOW)).isTrue();
        assertThat(new TreeSet<>(List.of(loop.group(1).strip().split(" ")))).as("%s: the services it builds", ManifestsTest.ROOT.relativize(WORKFLOW))
                .isEqualTo(new TreeSet<>(ManifestsTest.services().keySet()));
        List<JsonNode> docs = render("dev");
        String image = ofKind(docs, "Deployment").get(0).path("spec").path("template").path("spec").path("containers").get(0)
                .path("image").asText();
        assertThat(image).as("deploy/k8s/overlays/dev: the image the workflow builds and loads")
                .isEqualTo("pledge/" + name(ofKind(docs, "Deployment").get(0)) + ":" + ManifestsTest.version);
        JsonNode kafka = ofKind(docs, "Kafka").get(0);
        String bootstrap = name(kafka) + "-kafka-bootstrap:" + kafka.path("spec").path("kafka").path("listeners").get(0).path("port").asInt();
        String namespace = ofKind(docs, "Deployment").get(0).path("metadata").path("namespace").asText();
        assertThat(workflow).as("%s", ManifestsTest.ROOT.relativize(WORKFLOW))
                .contains("deploy/k8s/install-operators $NS").contains("NS: " + namespace)
                .contains("kubectl apply -k deploy/k8s/overlays/dev")
                .contains("kind load docker-image pledge/$s:$VERSION")
                .contains("\"" + bootstrap + "\"").contains("ce_type=pledge.sla.started");
    }
}
