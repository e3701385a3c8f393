package io.meshgate.regions.config;

import io.meshgate.edge.server.EdgeNode;
import io.meshgate.relay.link.LinkTlsSettings;
import io.meshgate.relay.testkit.TestCertificates;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A node whose ports would be reachable beyond loopback without authentication refuses to start, naming the key to
 * set, before it binds anything (issue 11: the relay and Hazelcast ports accepted anyone).
 */
class SecureBindTest {
    @TempDir
    Path dir;

    private static final String NODE = """
            regions:
              - name: solo
                nodes:
                  - {name: a, host: 10.0.0.7, BIND edgePort: 0, relayPort: 0, clusterPort: 5799}
            auth:
              mode: insecure
            """;

    /** The region's shared secret, so that a node on 10.0.0.7 passes the cluster port's checks. */
    private static final String CLUSTER_SECRET = "cluster:\n  secret: a-region-secret-a-region-secret-0123\n";

    @Test
    void aRelayPortBeyondLoopbackWithoutMeshTlsIsRefusedNamingTheKey() {
        assertRefusedNaming(GatewayConfigLoader.parse(NODE.replace("BIND ", ""), null), "mesh.tls.certChainFile");
    }

    @Test
    void aClusterPortOnEveryInterfaceIsRefusedNamingTheKeyEvenWithRelayTls() {
        GatewayConfig config = GatewayConfigLoader.parse(withRelayTlsAndAdmin("bindHost: 0.0.0.0, "), null);
        assertEquals("0.0.0.0", config.nodeSettings("a").relay().cluster().bindHost());
        assertRefusedNaming(config, "clusterBindHost");
    }

    @Test
    void anEdgeBeyondLoopbackWithoutAdminTokenIsRefusedNamingTheKey() {
        String yaml = withRelayTls(NODE.replace("BIND ", "") + CLUSTER_SECRET);
        assertRefusedNaming(GatewayConfigLoader.parse(yaml, null), "admin.token");
    }

    @Test
    void aClusterPortOnAPrivateAddressWithoutClusterSecretIsRefusedNamingTheKey() {
        String yaml = withRelayTlsAndAdmin("");
        GatewayConfig config = GatewayConfigLoader.parse(yaml, null);
        assertEquals("10.0.0.7", config.nodeSettings("a").relay().cluster().bindHost());
        assertRefusedNaming(config, "cluster.secret");

        EdgeNode.checkSecurity(GatewayConfigLoader.parse(yaml + CLUSTER_SECRET, null).nodeSettings("a"));
    }

    /** {@code check-config} tells what {@code node} would refuse, instead of "configuration OK". */
    @Test
    void checkConfigReportsWhatTheNodeWouldRefuse() throws Exception {
        Path file = dir.resolve("exposed.yaml");
        java.nio.file.Files.writeString(file, NODE.replace("BIND ", ""));
        io.meshgate.regions.cli.CliRun refused = io.meshgate.regions.cli.CliRun.run("check-config", "--config",
                file.toString());
        assertEquals(1, refused.code(), refused.out());
        assertTrue(refused.err().contains("node a would refuse to start") && refused.err().contains("mesh.tls"),
                refused.err());
        assertTrue(!refused.out().contains("configuration OK"), refused.out());
    }

    /** Node a of {@code config} refuses to start, before it binds anything, with a message naming {@code key}. */
    private static void assertRefusedNaming(GatewayConfig config, String key) {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> EdgeNode.start(config.nodeSettings("a")).close());
        assertTrue(e.getMessage().contains(key), e.getMessage());
    }

    /** The node, its entry starting with {@code bind}, with relay TLS, an admin token and an admin port. */
    private String withRelayTlsAndAdmin(String bind) {
        return withRelayTls(NODE.replace("BIND ", bind + "adminPort: 0, ") + """
                admin:
                  token: an-admin-token
                """);
    }

    /** {@code yaml} with mesh.tls files for a node of region solo, so the relay port passes its check. */
    private String withRelayTls(String yaml) {
        LinkTlsSettings cert = TestCertificates.authority(dir, "mesh").issueForRegions("a", "solo");
        return yaml + """
                mesh:
                  tls:
                    certChainFile: "%s"
                    privateKeyFile: "%s"
                    trustCaFile: "%s"
                """.formatted(cert.certChainPem(), cert.privateKeyPem(), cert.trustCaPem());
    }

    @Test
    void clusterBindHostMustBeAnAddress() {
        ConfigException e = assertThrows(ConfigException.class, () -> GatewayConfigLoader.parse(
                NODE.replace("BIND ", "clusterBindHost: private-nic, "), null));
        assertTrue(e.getMessage().contains("regions[0].nodes[0].clusterBindHost"), e.getMessage());
    }
}
