package dev.pledge.k8s;

import static dev.pledge.k8s.ManifestsTest.missingResources;
import static dev.pledge.k8s.ManifestsTest.name;
import static dev.pledge.k8s.ManifestsTest.ofKind;
import static dev.pledge.k8s.ManifestsTest.render;
import static dev.pledge.k8s.ManifestsTest.where;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Kafka's nodes and the operator-managed containers around them: in prod, controllers apart from brokers and brokers
 * aware of their zone; in both overlays, node metrics scraped and requests and limits on every container an operator
 * makes (nodes, entity operators, the exporter, PostgreSQL instances), so none runs unbounded beside the services.
 */
class KafkaNodesTest {

    @Test
    void inProdControllersAndBrokersArePoolsOfTheirOwnAndBrokersKnowTheirZone() throws Exception {
        List<JsonNode> docs = render("prod");
        Set<String> roles = new TreeSet<>();
        for (JsonNode pool : ofKind(docs, "KafkaNodePool")) {
            List<String> r = new ArrayList<>();
            pool.path("spec").path("roles").forEach(x -> r.add(x.asText()));
            assertThat(r).as("%s: spec.roles, one role a pool", where("prod", pool)).hasSize(1);
            roles.add(r.get(0));
            int replicas = pool.path("spec").path("replicas").asInt();
            assertThat(replicas).as("%s: spec.replicas", where("prod", pool)).isGreaterThanOrEqualTo(3);
            if (r.contains("controller")) {
                assertThat(replicas % 2).as("%s: spec.replicas, odd for a quorum", where("prod", pool)).isOne();
            }
        }
        assertThat(roles).as("deploy/k8s/overlays/prod: the node pools' roles").containsExactly("broker", "controller");
        for (JsonNode kafka : ofKind(docs, "Kafka")) {
            assertThat(kafka.path("spec").path("kafka").path("rack").path("topologyKey").asText())
                    .as("%s: spec.kafka.rack.topologyKey", where("prod", kafka)).isEqualTo("topology.kubernetes.io/zone");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void kafkaNodeMetricsAreScraped(String overlay) throws Exception {
        List<JsonNode> docs = render(overlay);
        for (JsonNode kafka : ofKind(docs, "Kafka")) {
            assertThat(kafka.path("spec").path("kafka").path("metricsConfig").path("type").asText())
                    .as("%s: spec.kafka.metricsConfig.type", where(overlay, kafka)).isNotEmpty();
            boolean scraped = ofKind(docs, "PodMonitor").stream().anyMatch(m -> (name(kafka) + "-kafka").equals(
                    m.path("spec").path("selector").path("matchLabels").path("strimzi.io/name").asText()));
            assertThat(scraped).as("deploy/k8s/overlays/%s: a PodMonitor selecting strimzi.io/name=%s-kafka", overlay, name(kafka))
                    .isTrue();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void everyContainerAnOperatorMakesHasRequestsAndLimits(String overlay) throws Exception {
        List<JsonNode> docs = render(overlay);
        List<String> missing = new ArrayList<>();
        for (JsonNode pool : ofKind(docs, "KafkaNodePool")) {
            missing.addAll(missingResources(where(overlay, pool) + ": spec.resources", pool.path("spec").path("resources")));
        }
        for (JsonNode kafka : ofKind(docs, "Kafka")) {
            JsonNode spec = kafka.path("spec");
            missing.addAll(missingResources(where(overlay, kafka) + ": spec.entityOperator.topicOperator.resources",
                    spec.path("entityOperator").path("topicOperator").path("resources")));
            missing.addAll(missingResources(where(overlay, kafka) + ": spec.entityOperator.userOperator.resources",
                    spec.path("entityOperator").path("userOperator").path("resources")));
            if (spec.has("kafkaExporter")) {
                missing.addAll(missingResources(where(overlay, kafka) + ": spec.kafkaExporter.resources",
                        spec.path("kafkaExporter").path("resources")));
            }
        }
        for (JsonNode cluster : ofKind(docs, "Cluster")) {
            missing.addAll(missingResources(where(overlay, cluster) + ": spec.resources", cluster.path("spec").path("resources")));
        }
        assertThat(missing).as("deploy/k8s/overlays/%s: containers without requests and limits for cpu and memory", overlay)
                .isEmpty();
    }
}
