package io.meshgate.regions.demo;

import io.meshgate.edge.auth.AuthSettings;
import io.meshgate.edge.server.NodeSettings;
import io.meshgate.regions.config.GatewayConfig;
import io.meshgate.regions.config.GatewayConfigLoader;

import java.util.ArrayList;
import java.util.List;

/** The demo's configuration: region eu-west, nodes eu-west-1 and eu-west-2, insecure auth. */
public final class DemoRegion {
    public static final String REGION = "eu-west";

    private DemoRegion() {
    }

    /** Settings of the demo's nodes; edge ports start at {@code edgePortBase}, relay +1000, cluster at 5701+. */
    public static List<NodeSettings> nodes(int edgePortBase, int clusterPortBase) {
        return nodes(List.of(
                new int[] {edgePortBase, edgePortBase + 1000, clusterPortBase},
                new int[] {edgePortBase + 1, edgePortBase + 1001, clusterPortBase + 1}));
    }

    /**
     * The demo region with {@code size} nodes whose edge and relay ports are picked by the OS and whose cluster ports
     * are the given free ones: the benchmark's self-hosted region, through the same configuration path.
     */
    public static List<NodeSettings> onPorts(List<Integer> clusterPorts) {
        List<int[]> ports = new ArrayList<>();
        clusterPorts.forEach(p -> ports.add(new int[] {0, 0, p}));
        return nodes(ports);
    }

    /** {@code ports}: per node, edge, relay and cluster port. */
    private static List<NodeSettings> nodes(List<int[]> ports) {
        StringBuilder yaml = new StringBuilder("regions:\n  - name: " + REGION + "\n    nodes:\n");
        for (int i = 0; i < ports.size(); i++) {
            int[] p = ports.get(i);
            yaml.append("      - {name: ").append(REGION).append('-').append(i + 1)
                    .append(", host: 127.0.0.1, edgePort: ").append(p[0]).append(", relayPort: ").append(p[1])
                    .append(", clusterPort: ").append(p[2]).append("}\n");
        }
        yaml.append("""
                auth:
                  mode: insecure
                drain:
                  moveJitterMs: 1000
                  timeoutMs: 5000
                # Every client of the demo comes from 127.0.0.1, and the benchmark holds thousands at once.
                limits:
                  connectionsPerAddress: 1000000
                """);
        GatewayConfig config = GatewayConfigLoader.parse(yaml.toString(), null);
        if (!AuthSettings.MODE_INSECURE.equals(config.auth().mode())) {
            throw new IllegalStateException("the demo must run insecure");
        }
        List<NodeSettings> out = new ArrayList<>();
        for (GatewayConfig.NodeConfig node : config.regions().get(0).nodes()) {
            out.add(config.nodeSettings(node.name()));
        }
        return out;
    }
}
