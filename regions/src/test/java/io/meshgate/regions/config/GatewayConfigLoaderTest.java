package io.meshgate.regions.config;

import io.meshgate.edge.server.NodeSettings;
import io.meshgate.relay.history.HistoryLimits;
import io.meshgate.relay.region.ClusterSecret;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GatewayConfigLoaderTest {
    private static final String SECRET = "0123456789abcdef0123456789abcdef";
    private static final String MINIMAL = """
            regions:
              - name: eu-west
                nodes:
                  - {name: a, edgePort: 8081, relayPort: 9081, clusterPort: 5701}
                  - {name: b, edgePort: 8082, relayPort: 9082, clusterPort: 5702}
            auth:
              hs256Secret: "%s"
            """.formatted(SECRET);

    @Test
    void minimalFileGetsDocumentedDefaults() {
        GatewayConfig config = GatewayConfigLoader.parse(MINIMAL, null);
        assertEquals(HistoryLimits.DEFAULTS, config.history());
        assertEquals(65536, config.limits().maxDataBytes());
        assertEquals(100, config.limits().maxChannelsPerConnection());
        assertEquals(15_000, config.edge().pingMs());
        assertEquals(25, config.edge().pollDefaultWaitS());
        assertEquals(55, config.edge().pollMaxWaitS());
        assertEquals(1, config.backupCount());
        assertNull(config.edge().adminToken());
        assertEquals("jwt", config.auth().mode());
    }

    @Test
    void retainedMessagesDefaultToTenTimesMaxMessagesWithinTheDedupIds() {
        assertEquals(10_000, GatewayConfigLoader.parse(MINIMAL, null).history().maxRetainedMessages());
        assertEquals(500, GatewayConfigLoader.parse(MINIMAL + "history:\n  maxMessages: 50\n", null).history()
                .maxRetainedMessages());
        assertEquals(3_000, GatewayConfigLoader.parse(MINIMAL + "history:\n  maxMessages: 1000\n  maxDedupIds: 3000\n",
                null).history().maxRetainedMessages(), "capped by history.maxDedupIds");
        assertEquals(1_234, GatewayConfigLoader.parse(MINIMAL + "history:\n  maxRetainedMessages: 1234\n", null)
                .history().maxRetainedMessages());
    }

    @Test
    void nodeSettingsKnowTheirRegionPeersAndCluster() {
        NodeSettings b = GatewayConfigLoader.parse(MINIMAL, null).nodeSettings("b");
        assertEquals("eu-west", b.edge().region());
        assertEquals("b", b.edge().node());
        assertEquals(8082, b.edge().port());
        assertEquals(9082, b.relay().relayPort());
        assertEquals("meshgate-eu-west", b.relay().cluster().clusterName());
        assertEquals(List.of("127.0.0.1:5701", "127.0.0.1:5702"), b.relay().cluster().members());
        assertEquals(List.of("ws://127.0.0.1:8081/v1/ws"), b.peerWsUrls());
    }

    @Test
    void unknownNodeIsNamed() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> GatewayConfigLoader.parse(MINIMAL, null).nodeSettings("c"));
        assertTrue(e.getMessage().contains("--node c") && e.getMessage().contains("[a, b]"), e.getMessage());
    }

    @Test
    void everyErrorNamesItsKey() {
        assertError(MINIMAL + "limits:\n  maxDataByte: 5\n", "limits.maxDataByte");
        assertError(MINIMAL + "limits:\n  maxDataBytes: 12\n", "limits.maxDataBytes");
        assertError(MINIMAL + "limits:\n  maxDataBytes: lots\n", "limits.maxDataBytes");
        assertError(MINIMAL + "history:\n  dedupWindowMs: 1000\n", "history.dedupWindowMs");
        assertError(MINIMAL + "history:\n  maxMessages: 100\n  maxRetainedMessages: 99\n",
                "history.maxRetainedMessages must be at least history.maxMessages");
        assertError(MINIMAL + "history:\n  maxDedupIds: 5000\n  maxRetainedMessages: 5001\n",
                "history.maxRetainedMessages must be at most history.maxDedupIds");
        assertError(MINIMAL + "websocket:\n  pingMs: [1]\n", "websocket.pingMs");
        assertError(MINIMAL + "longPoll:\n  maxWaitS: 56\n", "longPoll.maxWaitS");
        assertError(MINIMAL + "longPoll:\n  defaultWaitS: 30\n  maxWaitS: 20\n", "longPoll.defaultWaitS");
        assertError(MINIMAL + "surprise: 1\n", "surprise");
        assertError(MINIMAL.replace("hs256Secret: \"" + SECRET + "\"", "hs256Secret: short"), "auth.hs256Secret");
        assertError(MINIMAL.replace("name: eu-west", "name: EU_WEST"), "regions[0].name");
        assertError(MINIMAL.replace("clusterPort: 5702", "clusterPort: 5701"), "regions[0].nodes[1].clusterPort");
        assertError(MINIMAL.replace("{name: b,", "{name: a,"), "regions[0].nodes[1].name");
        assertError(MINIMAL.replace("edgePort: 8082", "edgePort: 70000"), "regions[0].nodes[1].edgePort");
        assertError("auth:\n  mode: insecure\n", "regions");
        assertError("regions: [\n", "YAML");
        assertError("", "empty");
    }

    /** mesh.stateDir: beside the configuration file by default, one file per node, none without a file. */
    @Test
    void homeOverridesAreKeptPerNodeInTheStateDirectory() {
        String two = MINIMAL.replace("auth:", """
                  - name: us-east
                    nodes:
                      - {name: c, edgePort: 8083, relayPort: 9083, clusterPort: 5703}
                auth:""");
        Path base = Path.of("/etc/meshgate");
        assertEquals(base.resolve("meshgate-state/a/home-overrides.properties"),
                GatewayConfigLoader.parse(two, base).nodeSettings("a").relay().mesh().overridesFile());
        assertEquals(Path.of("/var/lib/meshgate/c/home-overrides.properties"), GatewayConfigLoader.parse(
                two + "mesh:\n  stateDir: /var/lib/meshgate\n", base).nodeSettings("c").relay().mesh().overridesFile());
        assertEquals(base.resolve("state/c/home-overrides.properties"), GatewayConfigLoader.parse(
                two + "mesh:\n  stateDir: state\n", base).nodeSettings("c").relay().mesh().overridesFile());
        assertNull(GatewayConfigLoader.parse(two, null).nodeSettings("a").relay().mesh().overridesFile(),
                "a configuration read from no file (the demo) keeps them in memory");
        assertError(two + "mesh:\n  stateDir: \"  \"\n", "mesh.stateDir");
    }

    @Test
    void twoRegionsFormAMeshAndMeshMistakesNameTheirKey() {
        String two = MINIMAL.replace("auth:", """
                  - name: us-east
                    nodes:
                      - {name: c, edgePort: 8083, relayPort: 9083, clusterPort: 5703, relayAdvertise: "relay.example:443"}
                auth:""");
        GatewayConfig config = GatewayConfigLoader.parse(two, null);
        var mesh = config.nodeSettings("c").relay().mesh();
        assertEquals("us-east", mesh.region());
        assertEquals(java.util.Set.of("eu-west"), mesh.peers().keySet());
        assertEquals(io.meshgate.relay.mesh.Durability.REGION, mesh.durability(), "region durability by default");
        assertEquals("relay.example", config.nodeSettings("a").relay().mesh().peers().get("us-east").get(0).host());
        assertEquals(443, config.nodeSettings("a").relay().mesh().peers().get("us-east").get(0).port());

        assertError(two.replace("name: us-east", "name: eu-west"), "region name eu-west is used twice");
        assertError(two + "mesh:\n  durability: sometimes\n", "mesh.durability");
        assertError(two + "mesh:\n  emulatedLatency:\n    - {between: [eu-west, mars], rttMs: 5}\n",
                "mesh.emulatedLatency");
        assertError(two + "mesh:\n  tls:\n    certChainFile: a.pem\n", "go together");
        assertError(two.replace("relay.example:443", "no-port"), "relayAdvertise");
    }

    @Test
    void secretFileIsReadRelativeToTheConfiguration(@org.junit.jupiter.api.io.TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("secret.txt"), SECRET + "\n");
        Path config = dir.resolve("gw.yaml");
        Files.writeString(config, MINIMAL.replace("hs256Secret: \"" + SECRET + "\"", "hs256SecretFile: secret.txt"));
        assertEquals(SECRET, GatewayConfigLoader.load(config).auth().hs256Secret());
    }

    @Test
    void adminTokenFileIsReadStrippedAndExcludesTheToken(@org.junit.jupiter.api.io.TempDir Path dir)
            throws IOException {
        Files.writeString(dir.resolve("token"), "an-admin-token\n");
        Path config = dir.resolve("gw.yaml");
        Files.writeString(config, MINIMAL + "admin:\n  tokenFile: token\n");
        assertEquals("an-admin-token", GatewayConfigLoader.load(config).nodeSettings("a").edge().adminToken());
        assertError(MINIMAL + "admin:\n  token: t\n  tokenFile: /etc/hostname\n", "exclude each other");
        assertError(MINIMAL + "admin:\n  tokenFile: /nonexistent/token\n", "admin.tokenFile");
        Files.writeString(dir.resolve("empty"), "\n");
        Files.writeString(config, MINIMAL + "admin:\n  tokenFile: empty\n");
        ConfigException empty = assertThrows(ConfigException.class, () -> GatewayConfigLoader.load(config));
        assertTrue(empty.getMessage().contains("admin.tokenFile"), empty.getMessage());
    }

    @Test
    void clusterSecretOrItsFileGoesToEveryNodeOfTheRegionAndIsAtLeast32Bytes(
            @org.junit.jupiter.api.io.TempDir Path dir) throws IOException {
        String regionSecret = "a-region-secret-a-region-secret-0123";
        assertNull(GatewayConfigLoader.parse(MINIMAL, null).nodeSettings("a").relay().cluster().secret(),
                "none configured: only a loopback cluster port starts");
        GatewayConfig inline = GatewayConfigLoader.parse(MINIMAL + "cluster:\n  secret: " + regionSecret + "\n", null);
        assertEquals(ClusterSecret.of(regionSecret), inline.nodeSettings("a").relay().cluster().secret());
        assertEquals(ClusterSecret.of(regionSecret), inline.nodeSettings("b").relay().cluster().secret());
        Files.writeString(dir.resolve("cluster-secret"), regionSecret + "\n");
        Path config = dir.resolve("gw.yaml");
        Files.writeString(config, MINIMAL + "cluster:\n  secretFile: cluster-secret\n");
        assertEquals(ClusterSecret.of(regionSecret),
                GatewayConfigLoader.load(config).nodeSettings("a").relay().cluster().secret());
        assertError(MINIMAL + "cluster:\n  secret: too-short\n", "cluster.secret");
        assertError(MINIMAL + "cluster:\n  secret: " + regionSecret + "\n  secretFile: /etc/hostname\n",
                "exclude each other");
        assertError(MINIMAL + "cluster:\n  secretFile: /nonexistent/secret\n", "cluster.secretFile");
        Files.writeString(dir.resolve("short"), "short\n");
        Files.writeString(config, MINIMAL + "cluster:\n  secretFile: short\n");
        ConfigException shortFile = assertThrows(ConfigException.class, () -> GatewayConfigLoader.load(config));
        assertTrue(shortFile.getMessage().contains("cluster.secretFile"), shortFile.getMessage());
    }

    @Test
    void aClusterBindHostFromTheCommandLineReplacesTheConfiguredOneAndMustBeAnAddress() {
        GatewayConfig config = GatewayConfigLoader.parse(MINIMAL, null);
        assertEquals("10.244.1.7", config.nodeSettings("a", "10.244.1.7").relay().cluster().bindHost());
        assertEquals(config.nodeSettings("a").relay().cluster().bindHost(), config.nodeSettings("a", null).relay().cluster()
                .bindHost());
        ConfigException name = assertThrows(ConfigException.class, () -> config.nodeSettings("a", "$(POD_IP)"));
        assertTrue(name.getMessage().contains("--cluster-bind-host"), name.getMessage());
    }

    @Test
    void tlsKeysAreCheckedAndResolvedRelativeToTheConfiguration(@org.junit.jupiter.api.io.TempDir Path dir)
            throws IOException {
        Files.writeString(dir.resolve("edge.crt"), "x");
        Files.writeString(dir.resolve("edge.key"), "x");
        Path config = dir.resolve("gw.yaml");
        Files.writeString(config, MINIMAL + "tls:\n  certFile: edge.crt\n  keyFile: edge.key\n");
        GatewayConfig tls = GatewayConfigLoader.load(config);
        assertEquals(dir.resolve("edge.crt"), tls.tls().certChainPem());
        assertTrue(tls.nodeSettings("a").peerWsUrls().get(0).startsWith("wss://"));
        assertNull(GatewayConfigLoader.parse(MINIMAL, null).tls());
        assertError(MINIMAL + "tls:\n  certFile: /nonexistent.crt\n  keyFile: /nonexistent.key\n", "tls.certFile");
        assertError(MINIMAL + "tls:\n  keyFile: /etc/hostname\n", "tls.certFile");
        assertError(MINIMAL + "tls:\n  keystoreFile: /etc/hostname\n  certFile: /etc/hostname\n",
                "tls.keystoreFile");
    }

    @Test
    void missingFileIsAClearError() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> GatewayConfigLoader.load(Path.of("/nonexistent/gw.yaml")));
        assertTrue(e.getMessage().contains("/nonexistent/gw.yaml"), e.getMessage());
    }

    @Test
    void exampleConfigurationInTheRepositoryIsValid() {
        GatewayConfig config = GatewayConfigLoader.load(Path.of("..", "examples", "region.yaml"));
        assertEquals("eu-west", config.regions().get(0).name());
        assertEquals(2, config.regions().get(0).nodes().size());
    }

    private static void assertError(String yaml, String mustMention) {
        ConfigException e = assertThrows(ConfigException.class, () -> GatewayConfigLoader.parse(yaml, null));
        assertTrue(e.getMessage().contains(mustMention), "'" + e.getMessage() + "' should mention " + mustMention);
    }
}
