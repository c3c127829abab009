package dev.pledge.k8s;

import static dev.pledge.k8s.ManifestsTest.K8S;
import static dev.pledge.k8s.ManifestsTest.named;
import static dev.pledge.k8s.ManifestsTest.ofKind;
import static dev.pledge.k8s.ManifestsTest.render;
import static dev.pledge.k8s.ManifestsTest.services;
import static dev.pledge.k8s.ManifestsTest.where;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pledge.k8s.ManifestsTest.Service;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The prod overlay's defences, as rendered: a namespace that enforces the Pod Security Standard {@code restricted} and
 * pods that meet it; ingress denied by default, with exactly the allows the design needs (the services from the
 * ingress controller and monitoring, each PostgreSQL cluster from its service, its own instances and its operator);
 * every database's WAL archived and a base backup every night. Each failure names the rendered object and the path.
 */
class ProdSecurityTest {
    static final Set<String> RESTRICTED_VOLUMES = Set.of("configMap", "csi", "downwardAPI", "emptyDir", "ephemeral",
            "persistentVolumeClaim", "projected", "secret");

    @Test
    void theNamespaceEnforcesTheRestrictedPodSecurityStandardAndEveryServicePodMeetsIt() throws Exception {
        List<JsonNode> docs = render("prod");
        String namespace = ofKind(docs, "Deployment").get(0).path("metadata").path("namespace").asText();
        JsonNode ns = named(docs, "Namespace", namespace);
        assertThat(ns.isMissingNode()).as("deploy/k8s/overlays/prod: a Namespace '%s' (the overlay's namespace)", namespace)
                .isFalse();
        assertThat(ns.path("metadata").path("labels").path("pod-security.kubernetes.io/enforce").asText())
                .as("%s: metadata.labels.pod-security.kubernetes.io/enforce", where("prod", ns)).isEqualTo("restricted");
        for (JsonNode d : ofKind(docs, "Deployment")) {
            JsonNode pod = d.path("spec").path("template").path("spec");
            String at = where("prod", d) + ": spec.template.spec";
            for (String host : List.of("hostNetwork", "hostPID", "hostIPC")) {
                assertThat(pod.path(host).asBoolean(false)).as("%s.%s", at, host).isFalse();
            }
            for (JsonNode v : pod.path("volumes")) {
                Set<String> types = new TreeSet<>();
                v.fieldNames().forEachRemaining(types::add);
                types.remove("name");
                assertThat(RESTRICTED_VOLUMES).as("%s.volumes[%s]: a volume type restricted allows", at, v.path("name").asText())
                        .containsAll(types);
            }
            List<JsonNode> containers = new ArrayList<>();
            pod.path("initContainers").forEach(containers::add);
            pod.path("containers").forEach(containers::add);
            for (JsonNode c : containers) {
                String where = at + ".containers[" + c.path("name").asText() + "].securityContext";
                JsonNode sc = c.path("securityContext");
                JsonNode psc = pod.path("securityContext");
                assertThat(sc.path("runAsNonRoot").asBoolean(psc.path("runAsNonRoot").asBoolean(false)))
                        .as("%s.runAsNonRoot (or the pod's)", where).isTrue();
                assertThat(sc.path("runAsUser").asInt(psc.path("runAsUser").asInt(-1)))
                        .as("%s.runAsUser (or the pod's): not root", where).isNotZero();
                String seccomp = sc.path("seccompProfile").path("type").asText(psc.path("seccompProfile").path("type").asText());
                assertThat(seccomp).as("%s.seccompProfile.type (or the pod's)", where).isIn("RuntimeDefault", "Localhost");
                assertThat(sc.path("allowPrivilegeEscalation").isBoolean() && !sc.path("allowPrivilegeEscalation").asBoolean())
                        .as("%s.allowPrivilegeEscalation: false", where).isTrue();
                assertThat(sc.path("privileged").asBoolean(false)).as("%s.privileged", where).isFalse();
                Set<String> drop = new TreeSet<>();
                sc.path("capabilities").path("drop").forEach(x -> drop.add(x.asText()));
                assertThat(drop).as("%s.capabilities.drop", where).contains("ALL");
                Set<String> add = new TreeSet<>();
                sc.path("capabilities").path("add").forEach(x -> add.add(x.asText()));
                assertThat(Set.of("NET_BIND_SERVICE")).as("%s.capabilities.add", where).containsAll(add);
            }
        }
        String readme = Files.readString(K8S.resolve("README.md"));
        assertThat(readme).as("deploy/k8s/README.md: Strimzi's pods made to meet restricted")
                .contains("STRIMZI_POD_SECURITY_PROVIDER_CLASS=restricted");
    }

    @Test
    void ingressIsDeniedByDefault() throws Exception {
        List<JsonNode> docs = render("prod");
        boolean denied = false;
        for (JsonNode p : ofKind(docs, "NetworkPolicy")) {
            JsonNode spec = p.path("spec");
            Set<String> types = new TreeSet<>();
            spec.path("policyTypes").forEach(t -> types.add(t.asText()));
            if (spec.path("podSelector").isEmpty() && types.contains("Ingress") && spec.path("ingress").isEmpty()) {
                denied = true;
            }
            for (JsonNode rule : spec.path("ingress")) {
                assertThat(rule.path("from").size()).as("%s: an ingress rule without from (open to every pod and namespace)",
                        where("prod", p)).isPositive();
            }
        }
        assertThat(denied).as("deploy/k8s/overlays/prod: a NetworkPolicy selecting every pod (podSelector {}) with "
                + "policyTypes [Ingress] and no ingress rule").isTrue();
        for (JsonNode kafka : ofKind(docs, "Kafka")) {
            for (JsonNode listener : kafka.path("spec").path("kafka").path("listeners")) {
                assertThat(listener.path("networkPolicyPeers").size())
                        .as("%s: spec.kafka.listeners[%s].networkPolicyPeers (else Strimzi opens the listener to every pod)",
                                where("prod", kafka), listener.path("name").asText()).isPositive();
            }
        }
    }

    /** Each PostgreSQL cluster takes connections from its own service, its own instances and CloudNativePG's operator only. */
    @Test
    void eachDatabaseTakesConnectionsOnlyFromItsServiceItsInstancesAndItsOperator() throws Exception {
        List<JsonNode> docs = render("prod");
        for (Service s : services().values()) {
            String cluster = ManifestsTest.databaseCluster("prod", docs, s);
            List<JsonNode> policies = ofKind(docs, "NetworkPolicy").stream().filter(p -> cluster.equals(
                    p.path("spec").path("podSelector").path("matchLabels").path("cnpg.io/cluster").asText())).toList();
            assertThat(policies).as("deploy/k8s/overlays/prod: a NetworkPolicy selecting cnpg.io/cluster=%s", cluster).hasSize(1);
            JsonNode policy = policies.get(0);
            Set<String> allowed = new TreeSet<>();
            for (JsonNode rule : policy.path("spec").path("ingress")) {
                Set<Integer> ports = new TreeSet<>();
                rule.path("ports").forEach(x -> ports.add(x.path("port").asInt()));
                for (JsonNode from : rule.path("from")) {
                    String pods = from.path("podSelector").path("matchLabels").toString();
                    String ns = from.path("namespaceSelector").path("matchLabels").path("kubernetes.io/metadata.name").asText();
                    allowed.add((ns.isEmpty() ? "" : ns + "/") + pods + " " + ports);
                }
            }
            assertThat(allowed).as("%s: who may connect, and to which ports", where("prod", policy)).containsExactlyInAnyOrder(
                    "{\"app.kubernetes.io/name\":\"" + s.name() + "\"} [5432]",
                    "{\"cnpg.io/cluster\":\"" + cluster + "\"} [5432, 8000]",
                    "cnpg-system/{\"app.kubernetes.io/name\":\"cloudnative-pg\"} [5432, 8000]");
        }
    }

    /** Every PostgreSQL cluster archives its WAL through the Barman Cloud plugin to a declared ObjectStore and is backed up nightly. */
    @Test
    void everyDatabaseArchivesItsWalAndIsBackedUpEveryNight() throws Exception {
        List<JsonNode> docs = render("prod");
        String plugin = "barman-cloud.cloudnative-pg.io";
        for (JsonNode cluster : ofKind(docs, "Cluster")) {
            String name = cluster.path("metadata").path("name").asText();
            List<JsonNode> archivers = new ArrayList<>();
            cluster.path("spec").path("plugins").forEach(p -> {
                if (plugin.equals(p.path("name").asText()) && p.path("isWALArchiver").asBoolean()) {
                    archivers.add(p);
                }
            });
            assertThat(archivers).as("%s: spec.plugins: %s as the WAL archiver", where("prod", cluster), plugin).hasSize(1);
            String store = archivers.get(0).path("parameters").path("barmanObjectName").asText();
            JsonNode objectStore = named(docs, "ObjectStore", store);
            assertThat(objectStore.isMissingNode()).as("%s: spec.plugins[%s].parameters.barmanObjectName '%s' is a declared "
                    + "ObjectStore", where("prod", cluster), plugin, store).isFalse();
            assertThat(objectStore.path("spec").path("retentionPolicy").asText()).as("%s: spec.retentionPolicy",
                    where("prod", objectStore)).isNotEmpty();
            List<JsonNode> nightly = ofKind(docs, "ScheduledBackup").stream()
                    .filter(b -> name.equals(b.path("spec").path("cluster").path("name").asText())).toList();
            assertThat(nightly).as("deploy/k8s/overlays/prod: a ScheduledBackup of %s", name).hasSize(1);
            JsonNode b = nightly.get(0).path("spec");
            assertThat(b.path("method").asText() + " " + b.path("pluginConfiguration").path("name").asText())
                    .as("%s: spec.method and spec.pluginConfiguration.name", where("prod", nightly.get(0)))
                    .isEqualTo("plugin " + plugin);
            assertThat(b.path("schedule").asText().split(" ")).as("%s: spec.schedule (six fields, seconds first: once a day)",
                    where("prod", nightly.get(0))).hasSize(6).endsWith("*", "*", "*");
        }
        String readme = Files.readString(K8S.resolve("README.md"));
        assertThat(readme).as("deploy/k8s/README.md: how to restore a backup").contains("## Restore a backup");
    }

    /** prod: a service's pod takes its HTTP port from the ingress controller's namespace only, and nothing from anywhere. */
    @Test
    void noServiceAcceptsHttpFromAnywhereButTheIngressController() throws Exception {
        List<JsonNode> docs = render("prod");
        for (Service s : services().values()) {
            JsonNode policy = named(docs, "NetworkPolicy", s.name());
            assertThat(policy.isMissingNode()).as("deploy/k8s/overlays/prod: a NetworkPolicy for %s", s.name()).isFalse();
            boolean http = false;
            for (JsonNode rule : policy.path("spec").path("ingress")) {
                assertThat(rule.path("from").size()).as("%s: an ingress rule without from (open to every pod and namespace)",
                        where("prod", policy)).isPositive();
                for (JsonNode port : rule.path("ports")) {
                    if (port.path("port").asInt() == s.httpPort()) {
                        http = true;
                        assertThat(rule.path("from").get(0).path("namespaceSelector").path("matchLabels")
                                .path("kubernetes.io/metadata.name").asText())
                                .as("%s: port %d from the ingress controller's namespace", where("prod", policy), s.httpPort())
                                .isNotEmpty();
                    }
                }
            }
            assertThat(http).as("%s: an ingress rule for the HTTP port %d", where("prod", policy), s.httpPort()).isTrue();
        }
    }

}
