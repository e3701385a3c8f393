package io.meshgate.regions.config;

import com.hazelcast.config.JoinConfig;
import io.meshgate.edge.server.NodeSettings;
import io.meshgate.edge.testing.Ports;
import io.meshgate.relay.region.RegionMember;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code regions[].kubernetesServiceDns}: the region's members join through Hazelcast's Kubernetes discovery (DNS
 * lookup of a headless Service) instead of the node list; open-source Hazelcast accepts it and a member starts.
 */
class KubernetesDiscoveryTest {
    private static final String YAML = """
            regions:
              - name: us-east
                kubernetesServiceDns: %s
                nodes:
                  - {name: us-east-0, host: 127.0.0.1, edgePort: 0, relayPort: 0, clusterPort: %d}
            auth:
              hs256Secret: "0123456789abcdef0123456789abcdef"
            """;

    @Test
    void theServiceNameReachesTheMembersSettings() {
        NodeSettings node = GatewayConfigLoader.parse(YAML.formatted(
                "meshgate-us-east-hz.meshgate.svc.cluster.local", 5701), null).nodeSettings("us-east-0");
        assertEquals("meshgate-us-east-hz.meshgate.svc.cluster.local", node.relay().cluster().kubernetesServiceDns());
        NodeSettings listed = GatewayConfigLoader.parse(YAML.replace("    kubernetesServiceDns: %s\n", "")
                .formatted(5701), null).nodeSettings("us-east-0");
        assertNull(listed.relay().cluster().kubernetesServiceDns());
        assertEquals(List.of("127.0.0.1:5701"), listed.relay().cluster().members());
    }

    @Test
    void aNameThatIsNotADnsNameIsAClearError() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> GatewayConfigLoader.parse(YAML.formatted("'http://svc'", 5701), null));
        assertTrue(e.getMessage().contains("regions[0].kubernetesServiceDns"), e.getMessage());
        assertTrue(e.getMessage().contains("headless Service"), e.getMessage());
    }

    @Test
    void aMemberStartsWithKubernetesDiscovery() {
        int port = Ports.free();
        NodeSettings node = GatewayConfigLoader.parse(YAML.formatted("localhost", port), null)
                .nodeSettings("us-east-0");
        RegionMember member = RegionMember.start(node.relay().cluster(), node.relay().history(),
                Clock.systemUTC());
        try {
            assertTrue(member.isRunning());
            assertEquals(1, member.clusterSize());
            JoinConfig join = member.hazelcast().getConfig().getAdvancedNetworkConfig().getJoin();
            assertTrue(join.getKubernetesConfig().isEnabled(), "joins through Kubernetes discovery");
            assertEquals("localhost", join.getKubernetesConfig().getProperty("service-dns"));
            assertFalse(join.getTcpIpConfig().isEnabled(), "no member list");
        } finally {
            member.hazelcast().getLifecycleService().terminate();
        }
    }
}
