package io.meshgate.chaos.client;

import io.meshgate.edge.server.EdgeNode;
import io.meshgate.regions.config.GatewayConfig;
import io.meshgate.regions.config.GatewayConfigLoader;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.awaitility.Awaitility.await;

/**
 * Every node of a deployment configuration, started in this JVM through the same configuration path as
 * {@code gateway.jar node}; with several regions, {@link #start} returns once every node sees every region healthy.
 */
public final class InJvmGateway implements AutoCloseable {
    private final Map<String, EdgeNode> nodes = new LinkedHashMap<>();
    private final GatewayConfig config;

    private InJvmGateway(GatewayConfig config) {
        this.config = config;
    }

    public static InJvmGateway start(String yaml) {
        InJvmGateway gateway = new InJvmGateway(GatewayConfigLoader.parse(yaml, null));
        try {
            for (GatewayConfig.RegionConfig region : gateway.config.regions()) {
                for (GatewayConfig.NodeConfig node : region.nodes()) {
                    gateway.nodes.put(node.name(), EdgeNode.start(gateway.config.nodeSettings(node.name())));
                }
            }
            if (gateway.config.regions().size() > 1) {
                List<String> regions = gateway.config.regions().stream().map(GatewayConfig.RegionConfig::name).toList();
                await("every mesh link up").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                        .until(() -> gateway.nodes.values().stream()
                                .allMatch(n -> regions.stream().allMatch(r -> n.relay().mesh().regionHealthy(r))));
            }
        } catch (RuntimeException | Error e) {
            gateway.close();
            throw e;
        }
        return gateway;
    }

    public EdgeNode node(String name) {
        EdgeNode node = nodes.get(name);
        if (node == null) {
            throw new IllegalArgumentException("no node " + name + " in " + nodes.keySet());
        }
        return node;
    }

    /** Stops one node now (as a crash would, but in-process: its sockets close). */
    public void stop(String name) {
        node(name).close();
    }

    @Override
    public void close() {
        List<EdgeNode> all = new ArrayList<>(nodes.values());
        for (int i = all.size() - 1; i >= 0; i--) {
            all.get(i).close();
        }
    }
}
