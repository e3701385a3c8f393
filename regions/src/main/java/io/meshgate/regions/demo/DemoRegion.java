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
        String yaml = """
                regions:
                  - name: %s
                    nodes:
                      - {name: eu-west-1, host: 127.0.0.1, edgePort: %d, relayPort: %d, clusterPort: %d}
                      - {name: eu-west-2, host: 127.0.0.1, edgePort: %d, relayPort: %d, clusterPort: %d}
                auth:
                  mode: insecure
                drain:
                  moveJitterMs: 1000
                  timeoutMs: 5000
                """.formatted(REGION, edgePortBase, edgePortBase + 1000, clusterPortBase,
                edgePortBase + 1, edgePortBase + 1001, clusterPortBase + 1);
        GatewayConfig config = GatewayConfigLoader.parse(yaml, null);
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
