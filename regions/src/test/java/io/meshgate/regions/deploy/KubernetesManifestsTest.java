package io.meshgate.regions.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.google.gson.JsonElement;
import com.google.gson.JsonParser;
import io.kubernetes.client.openapi.JSON;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1Namespace;
import io.kubernetes.client.openapi.models.V1NetworkPolicy;
import io.kubernetes.client.openapi.models.V1PodDisruptionBudget;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.openapi.models.V1StatefulSet;
import io.meshgate.edge.server.EdgeNode;
import io.meshgate.edge.server.NodeSettings;
import io.meshgate.regions.cli.NodeCommand;
import io.meshgate.regions.config.GatewayConfig;
import io.meshgate.regions.config.GatewayConfigLoader;
import io.meshgate.relay.link.LinkTlsSettings;
import io.meshgate.relay.testkit.TestCertificates;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * deploy/kubernetes, rendered for each of the three regions, against the Kubernetes API's schemas (the OpenAPI
 * models of the official Java client: unknown fields, missing required fields and wrong types are errors), and
 * against what the deployment needs: probes on /readyz and /healthz, a preStop drain, non-root pods, Secrets for the
 * mTLS material, Hazelcast's Kubernetes discovery through the headless Service, private cluster and relay ports,
 * and a configuration that the gateway itself accepts for every pod.
 */
class KubernetesManifestsTest {
    private static final Path DIR = Path.of("..", "deploy", "kubernetes");
    private static final List<String> REGIONS = List.of("us-east", "eu-west", "ap-south");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    /** Every kind the manifests use, its apiVersion and its schema model. */
    private static final Map<String, Kind> KINDS = Map.of(
            "Namespace", new Kind("v1", V1Namespace.class),
            "ConfigMap", new Kind("v1", V1ConfigMap.class),
            "Service", new Kind("v1", V1Service.class),
            "StatefulSet", new Kind("apps/v1", V1StatefulSet.class),
            "PodDisruptionBudget", new Kind("policy/v1", V1PodDisruptionBudget.class),
            "NetworkPolicy", new Kind("networking.k8s.io/v1", V1NetworkPolicy.class));

    private record Kind(String apiVersion, Class<?> model) {
    }

    @TempDir
    Path files;

    @Test
    void everyManifestOfEveryRegionMatchesTheKubernetesApiSchemas() throws Exception {
        List<JsonNode> all = new ArrayList<>(documents("namespace.yaml", null));
        all.addAll(documents("gateway-config.yaml", null));
        for (String region : REGIONS) {
            all.addAll(documents("region.yaml", region));
        }
        for (JsonNode doc : all) {
            validate(doc);
        }
        assertEquals(2 + REGIONS.size() * 8, all.size(), "namespace, config, and 8 objects per region");
    }

    @Test
    void theValidatorRejectsWhatKubernetesWould() {
        JsonNode statefulSet = byKind(documents("region.yaml", "us-east"), "StatefulSet");
        ((com.fasterxml.jackson.databind.node.ObjectNode) statefulSet.at("/spec/template/spec/containers/0"))
                .putObject("readinesProbe");
        AssertionError typo = assertThrows(AssertionError.class, () -> validate(statefulSet));
        assertTrue(typo.getMessage().contains("readinesProbe"), typo.getMessage());

        JsonNode service = byKind(documents("region.yaml", "us-east"), "Service");
        ((com.fasterxml.jackson.databind.node.ObjectNode) service.at("/spec/ports/0")).put("port", "many");
        assertThrows(AssertionError.class, () -> validate(service));
    }

    @Test
    void eachRegionRunsNonRootNodesWithProbesDrainAndSecrets() {
        for (String region : REGIONS) {
            List<JsonNode> docs = documents("region.yaml", region);
            JsonNode pod = byKind(docs, "StatefulSet").at("/spec/template/spec");
            assertTrue(pod.at("/securityContext/runAsNonRoot").asBoolean(), region);
            assertTrue(pod.at("/securityContext/runAsUser").asInt() > 0, region);
            JsonNode container = pod.at("/containers/0");
            assertEquals("/readyz", container.at("/readinessProbe/httpGet/path").asText(), region);
            assertEquals("/healthz", container.at("/livenessProbe/httpGet/path").asText(), region);
            String preStop = container.at("/lifecycle/preStop/exec/command").toString();
            assertTrue(preStop.contains("\"drain\"") && preStop.contains("http://127.0.0.1:9091")
                    && preStop.contains("/etc/meshgate/admin/token"), "drains through the admin port: " + preStop);
            assertEquals(List.of("node", "--config", "/etc/meshgate/config/gateway.yaml", "--node", "$(POD_NAME)",
                    "--cluster-bind-host", "$(POD_IP)"), strings(container.path("args")));
            List<String> secrets = new ArrayList<>();
            pod.path("volumes").forEach(v -> {
                if (v.has("secret")) {
                    secrets.add(v.at("/secret/secretName").asText());
                }
            });
            assertEquals(List.of("meshgate-auth", "meshgate-admin", "meshgate-mesh-tls", "meshgate-cluster"), secrets,
                    region);
            assertNotNull(byKind(docs, "PodDisruptionBudget"), region);

            JsonNode headless = docs.stream().filter(d -> d.path("kind").asText().equals("Service")
                    && d.at("/spec/clusterIP").asText().equals("None")).findFirst().orElseThrow();
            assertEquals("meshgate-" + region, headless.at("/metadata/name").asText());
            assertTrue(headless.at("/spec/publishNotReadyAddresses").asBoolean(), "members discover before ready");
            assertEquals("meshgate-" + region, byKind(docs, "StatefulSet").at("/spec/serviceName").asText());
        }
    }

    @Test
    void onlyTheRegionsOwnPodsReachTheClusterPortAndTheRelayPortIsNeverOpenToAll() {
        for (String region : REGIONS) {
            JsonNode policy = byKind(documents("region.yaml", region), "NetworkPolicy");
            for (JsonNode rule : policy.at("/spec/ingress")) {
                List<Integer> ports = new ArrayList<>();
                rule.path("ports").forEach(p -> ports.add(p.path("port").asInt()));
                boolean fromAnywhere = !rule.has("from") || rule.path("from").isEmpty();
                if (fromAnywhere) {
                    assertEquals(List.of(8081), ports, region + ": only the edge port is open to everyone");
                }
                if (ports.contains(5701)) {
                    assertEquals(1, rule.path("from").size(), region);
                    assertEquals(region, rule.at("/from/0/podSelector/matchLabels/meshgate.io~1region").asText());
                }
            }
        }
    }

    @Test
    void theConfigurationIsOneTheGatewayAcceptsForEveryPod() throws IOException {
        String yaml = byKind(documents("gateway-config.yaml", null), "ConfigMap").at("/data/gateway.yaml").asText();
        // The Secrets' files, where the StatefulSet mounts them.
        String local = yaml.replace("/etc/meshgate/", files.toString() + "/");
        Files.createDirectories(files.resolve("auth"));
        Files.writeString(files.resolve("auth/hs256-secret"), "0123456789abcdef0123456789abcdef\n");
        Files.createDirectories(files.resolve("admin"));
        Files.writeString(files.resolve("admin/token"), "an-admin-token\n");
        Files.createDirectories(files.resolve("cluster"));
        Files.writeString(files.resolve("cluster/secret"), "a-region-secret-a-region-secret-0123\n");
        TestCertificates ca = TestCertificates.authority(Files.createDirectories(files.resolve("ca")), "meshgate");
        LinkTlsSettings issued = ca.issue("relay-0");
        Path tls = Files.createDirectories(files.resolve("mesh-tls"));
        Files.copy(issued.certChainPem(), tls.resolve("tls.crt"));
        Files.copy(issued.privateKeyPem(), tls.resolve("tls.key"));
        Files.copy(issued.trustCaPem(), tls.resolve("ca.crt"));
        GatewayConfig config = GatewayConfigLoader.parse(local, files);
        assertEquals(REGIONS, config.regions().stream().map(GatewayConfig.RegionConfig::name).toList());
        for (String region : REGIONS) {
            JsonNode statefulSet = byKind(documents("region.yaml", region), "StatefulSet");
            int replicas = statefulSet.at("/spec/replicas").asInt();
            List<JsonNode> containerPorts = new ArrayList<>();
            statefulSet.at("/spec/template/spec/containers/0/ports").forEach(containerPorts::add);
            for (int i = 0; i < replicas; i++) {
                NodeSettings node = config.nodeSettings("meshgate-" + region + "-" + i);
                assertEquals("meshgate-" + region + ".meshgate.svc.cluster.local",
                        node.relay().cluster().kubernetesServiceDns(), "joins through the headless Service");
                assertEquals("0.0.0.0", node.bindHost());
                assertEquals(port(containerPorts, "edge"), node.edge().port());
                assertEquals(port(containerPorts, "relay"), node.relay().relayPort());
                assertEquals(port(containerPorts, "hazelcast"), node.relay().cluster().port());
                assertNotNull(node.relay().mesh().tls(), "mutual TLS on the relay");
                assertNotNull(node.relay().cluster().secret(), "the region's cluster.secret seals its deliveries");
            }
            assertEquals(replicas, config.regions().get(REGIONS.indexOf(region)).nodes().size(),
                    "every pod of the StatefulSet is a node of the configuration, and no more");
        }
        assertFalse(yaml.contains("hs256Secret:"), "the secret comes from a Secret, not the ConfigMap");
    }

    /**
     * Each pod's container, as the kubelet would run it (its args with the Downward API's values, the ConfigMap and
     * Secrets at their mount paths, a mesh certificate naming the region as OU), through the checks a node makes
     * before it binds: the shipped manifests cannot drift from the security rules of docs/security.md again.
     */
    @Test
    void everyPodsCommandLinePassesTheNodesStartTimeSecurityChecks() throws IOException {
        for (String region : REGIONS) {
            JsonNode statefulSet = byKind(documents("region.yaml", region), "StatefulSet");
            JsonNode pod = statefulSet.at("/spec/template/spec");
            Path root = mountVolumes(pod, region);
            for (int i = 0; i < statefulSet.at("/spec/replicas").asInt(); i++) {
                String podName = "meshgate-" + region + "-" + i;
                NodeSettings node = NodeCommand.settings(commandLine(pod, root, podName, "10.244." + i + ".17"));
                EdgeNode.checkSecurity(node);
                assertEquals("10.244." + i + ".17", node.relay().cluster().bindHost(), "the cluster port binds the pod IP");

                IllegalStateException publicIp = assertThrows(IllegalStateException.class, () -> EdgeNode
                        .checkSecurity(NodeCommand.settings(commandLine(pod, root, podName, "203.0.113.9"))));
                assertTrue(publicIp.getMessage().contains("clusterBindHost"), publicIp.getMessage());
            }
        }
    }

    /**
     * The pod's ConfigMap and Secret volumes under a fresh directory, at their mount paths: the gateway's
     * configuration (its /etc/meshgate/ paths moved there), the JWT secret, the admin token and mesh TLS files for
     * {@code region}. Returns the directory.
     */
    private Path mountVolumes(JsonNode pod, String region) throws IOException {
        Path root = Files.createDirectories(files.resolve("pod-" + region));
        TestCertificates ca = TestCertificates.authority(Files.createDirectories(root.resolve("ca")), "meshgate");
        LinkTlsSettings cert = ca.issueForRegions("meshgate-" + region, region);
        String config = byKind(documents("gateway-config.yaml", null), "ConfigMap").at("/data/gateway.yaml").asText()
                .replace("/etc/meshgate/", root + "/etc/meshgate/");
        Map<String, Map<String, byte[]>> contents = Map.of(
                "meshgate-config", Map.of("gateway.yaml", config.getBytes(java.nio.charset.StandardCharsets.UTF_8)),
                "meshgate-auth", Map.of("hs256-secret", "0123456789abcdef0123456789abcdef\n".getBytes()),
                "meshgate-admin", Map.of("token", "an-admin-token\n".getBytes()),
                "meshgate-cluster", Map.of("secret", ("secret-of-" + region + "-0123456789abcdef0123\n").getBytes()),
                "meshgate-mesh-tls", Map.of("tls.crt", Files.readAllBytes(cert.certChainPem()),
                        "tls.key", Files.readAllBytes(cert.privateKeyPem()), "ca.crt", Files.readAllBytes(cert.trustCaPem())));
        for (JsonNode mount : pod.at("/containers/0/volumeMounts")) {
            JsonNode volume = null;
            for (JsonNode v : pod.path("volumes")) {
                if (v.path("name").asText().equals(mount.path("name").asText())) {
                    volume = v;
                }
            }
            assertNotNull(volume, "volume of mount " + mount);
            String source = volume.has("secret") ? volume.at("/secret/secretName").asText()
                    : volume.at("/configMap/name").asText();
            Path dir = Files.createDirectories(root.resolve(mount.path("mountPath").asText().substring(1)));
            for (Map.Entry<String, byte[]> file : contents.getOrDefault(source, Map.of()).entrySet()) {
                Files.write(dir.resolve(file.getKey()), file.getValue());
            }
        }
        return root;
    }

    /** The container's args for one pod: $(VAR) from its env's Downward API fields, paths under {@code root}. */
    private static String[] commandLine(JsonNode pod, Path root, String podName, String podIp) {
        Map<String, String> fields = Map.of("metadata.name", podName, "status.podIP", podIp);
        JsonNode container = pod.at("/containers/0");
        List<String> args = new ArrayList<>();
        for (String arg : strings(container.path("args"))) {
            for (JsonNode env : container.path("env")) {
                String value = fields.get(env.at("/valueFrom/fieldRef/fieldPath").asText());
                assertNotNull(value, "a Downward API field the test knows: " + env);
                arg = arg.replace("$(" + env.path("name").asText() + ")", value);
            }
            args.add(arg.startsWith("/etc/meshgate/") ? root + arg : arg);
        }
        return args.toArray(String[]::new);
    }

    /** Fails with the validator's words when {@code doc} does not match its kind's schema. */
    private static void validate(JsonNode doc) {
        String kindName = doc.path("kind").asText();
        Kind kind = KINDS.get(kindName);
        String where = kindName + " " + doc.at("/metadata/name").asText();
        if (kind == null) {
            fail("unexpected kind in deploy/kubernetes: " + where);
        }
        assertEquals(kind.apiVersion(), doc.path("apiVersion").asText(), where);
        JsonElement json = JsonParser.parseString(doc.toString());
        try {
            kind.model().getMethod("validateJsonElement", JsonElement.class).invoke(null, json);
            new JSON();
            JSON.getGson().fromJson(json, kind.model());
        } catch (InvocationTargetException e) {
            throw new AssertionError(where + ": " + e.getCause().getMessage(), e.getCause());
        } catch (RuntimeException e) {
            throw new AssertionError(where + ": " + e.getMessage(), e);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The YAML documents of a file, with {@code __REGION__} replaced when a region is given. */
    private static List<JsonNode> documents(String file, String region) {
        try {
            String text = Files.readString(DIR.resolve(file));
            if (region != null) {
                text = text.replace("__REGION__", region);
            } else {
                assertFalse(text.contains("__REGION__"), file);
            }
            List<JsonNode> docs = new ArrayList<>();
            for (JsonNode doc : YAML.readerFor(JsonNode.class).readValues(text).readAll().stream()
                    .map(JsonNode.class::cast).toList()) {
                if (doc != null && !doc.isNull() && !doc.isMissingNode()) {
                    docs.add(doc);
                }
            }
            return docs;
        } catch (IOException e) {
            throw new AssertionError(file + " is not valid YAML: " + e.getMessage(), e);
        }
    }

    private static JsonNode byKind(List<JsonNode> docs, String kind) {
        return docs.stream().filter(d -> d.path("kind").asText().equals(kind)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind));
    }

    private static int port(List<JsonNode> ports, String name) {
        return ports.stream().filter(p -> p.path("name").asText().equals(name)).findFirst()
                .orElseThrow().path("containerPort").asInt();
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(a -> out.add(a.asText()));
        return out;
    }
}
