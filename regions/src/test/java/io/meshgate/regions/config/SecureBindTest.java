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

    @Test
    void aRelayPortBeyondLoopbackWithoutMeshTlsIsRefusedNamingTheKey() {
        GatewayConfig config = GatewayConfigLoader.parse(NODE.replace("BIND ", ""), null);

        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> EdgeNode.start(config.nodeSettings("a")).close());
        assertTrue(e.getMessage().contains("mesh.tls.certChainFile"), e.getMessage());
    }

    @Test
    void aClusterPortOnEveryInterfaceIsRefusedNamingTheKeyEvenWithRelayTls() {
        String yaml = withRelayTls(NODE.replace("BIND ", "bindHost: 0.0.0.0, adminPort: 0, ") + """
                admin:
                  token: an-admin-token
                """);
        GatewayConfig config = GatewayConfigLoader.parse(yaml, null);
        assertEquals("0.0.0.0", config.nodeSettings("a").relay().cluster().bindHost());

        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> EdgeNode.start(config.nodeSettings("a")).close());
        assertTrue(e.getMessage().contains("clusterBindHost"), e.getMessage());
    }

    @Test
    void anEdgeBeyondLoopbackWithoutAdminTokenIsRefusedNamingTheKey() {
        String yaml = withRelayTls(NODE.replace("BIND ", ""));
        GatewayConfig config = GatewayConfigLoader.parse(yaml, null);

        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> EdgeNode.start(config.nodeSettings("a")).close());
        assertTrue(e.getMessage().contains("admin.token"), e.getMessage());
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
