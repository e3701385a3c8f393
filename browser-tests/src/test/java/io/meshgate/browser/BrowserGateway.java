package io.meshgate.browser;

import eu.rekawek.toxiproxy.Proxy;
import eu.rekawek.toxiproxy.model.ToxicDirection;
import io.meshgate.chaos.faults.FaultProxyServer;
import io.meshgate.edge.server.EdgeNode;
import io.meshgate.edge.testing.Ports;
import io.meshgate.regions.config.GatewayConfig;
import io.meshgate.regions.config.GatewayConfigLoader;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.awaitility.Awaitility.await;

/**
 * Three regions joined by the real mesh in this JVM, configured like a deployment (insecure auth), each reached by
 * browsers through its {@link RegionFront} (the region's {@code publicUrl}, so {@code /v1/regions} advertises it):
 *
 * <pre>
 *   ap-south  1 node   front → fault proxy (+300 ms downstream) → ap-south-1
 *   eu-west   2 nodes  front → eu-west-2                          (the fastest region)
 *   us-east   1 node   front → fault proxy (+150 ms downstream) → us-east-1
 * </pre>
 *
 * A front reaches its region's last node: eu-west-2 can be killed while eu-west-1, the region's oldest member and so
 * its mesh leader, keeps the region and its links up.
 */
final class BrowserGateway implements AutoCloseable {
    /** A region of the test deployment and the latency its clients see (0: none). */
    record RegionSpec(String name, int nodes, long latencyMs) {
    }

    static final List<RegionSpec> REGIONS = List.of(
            new RegionSpec("ap-south", 1, 300),
            new RegionSpec("eu-west", 2, 0),
            new RegionSpec("us-east", 1, 150));

    private final FaultProxyServer faults;
    private final Map<String, RegionFront> fronts = new LinkedHashMap<>();
    private final Map<String, EdgeNode> nodes = new LinkedHashMap<>();
    private final AtomicBoolean blockWebSockets = new AtomicBoolean();
    private final AtomicBoolean cutOff = new AtomicBoolean();

    private BrowserGateway(FaultProxyServer faults) {
        this.faults = faults;
    }

    static BrowserGateway start() {
        BrowserGateway gateway;
        try {
            gateway = new BrowserGateway(FaultProxyServer.start());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            gateway.startRegions();
            return gateway;
        } catch (IOException e) {
            gateway.close();
            throw new UncheckedIOException(e);
        } catch (RuntimeException | Error e) {
            gateway.close();
            throw e;
        }
    }

    /**
     * Fronts first (the configuration names them as the regions' public URLs), then the nodes on edge ports the OS
     * picks, then each front is pointed at its region's last node, through a latency proxy where the region is slow.
     */
    private void startRegions() throws IOException {
        StringBuilder yaml = new StringBuilder("regions:\n");
        Map<String, String> lastNode = new LinkedHashMap<>();
        List<String> nodeNames = new ArrayList<>();
        for (RegionSpec region : REGIONS) {
            RegionFront front = new RegionFront(blockWebSockets, cutOff);
            fronts.put(region.name(), front);
            yaml.append("  - name: ").append(region.name()).append("\n    publicUrl: ").append(front.url())
                    .append("\n    nodes:\n");
            for (int n = 1; n <= region.nodes(); n++) {
                String name = region.name() + "-" + n;
                nodeNames.add(name);
                lastNode.put(region.name(), name);
                // Relay and cluster ports are listed in every node's configuration, so they are fixed up front.
                yaml.append("      - {name: ").append(name).append(", host: 127.0.0.1, edgePort: 0, relayPort: ")
                        .append(Ports.free()).append(", clusterPort: ").append(Ports.free()).append("}\n");
            }
        }
        yaml.append("""
                auth:
                  mode: insecure
                drain:
                  moveJitterMs: 500
                  timeoutMs: 5000
                """);
        GatewayConfig config = GatewayConfigLoader.parse(yaml.toString(), null);
        for (String name : nodeNames) {
            nodes.put(name, EdgeNode.start(config.nodeSettings(name)));
        }
        for (RegionSpec region : REGIONS) {
            int upstream = nodes.get(lastNode.get(region.name())).edgePort();
            if (region.latencyMs() > 0) {
                upstream = slow(region.name(), upstream, region.latencyMs());
            }
            fronts.get(region.name()).forwardTo(upstream);
        }
        await("every mesh link up").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .until(this::allLinksUp);
    }

    /** A fault proxy to {@code port} whose answers arrive {@code latencyMs} late; returns its port. */
    private int slow(String region, int port, long latencyMs) throws IOException {
        Proxy proxy = faults.client().createProxy(region + "-latency", FaultProxyServer.HOST + ":0",
                "127.0.0.1:" + port);
        proxy.toxics().latency(region + "-latency", ToxicDirection.DOWNSTREAM, latencyMs);
        String listen = proxy.getListen();
        return Integer.parseInt(listen.substring(listen.lastIndexOf(':') + 1));
    }

    private boolean allLinksUp() {
        for (EdgeNode node : nodes.values()) {
            for (RegionSpec region : REGIONS) {
                if (!node.relay().mesh().regionHealthy(region.name())) {
                    return false;
                }
            }
        }
        return true;
    }

    /** The region's public URL: its front. */
    String url(String region) {
        return fronts.get(region).url();
    }

    /** A node's own URL, past every proxy. */
    String nodeUrl(String node) {
        return nodes.get(node).httpUrl();
    }

    void blockWebSockets(boolean block) {
        blockWebSockets.set(block);
    }

    /** While cut off, every front answers new requests with 503; nodes stay reachable directly ({@link #nodeUrl}). */
    void cutOffBrowsers(boolean cut) {
        cutOff.set(cut);
    }

    int refusedUpgrades() {
        return fronts.values().stream().mapToInt(RegionFront::refusedUpgrades).sum();
    }

    /** Stops a node the hard way: its Hazelcast member is terminated without handing anything over. */
    void kill(String node) {
        EdgeNode victim = nodes.get(node);
        victim.relay().region().hazelcast().getLifecycleService().terminate();
        victim.close();
    }

    @Override
    public void close() {
        List<EdgeNode> started = new ArrayList<>(nodes.values());
        for (int i = started.size() - 1; i >= 0; i--) {
            try {
                started.get(i).relay().region().hazelcast().getLifecycleService().terminate();
            } catch (RuntimeException ignored) {
                // already stopped
            }
            started.get(i).close();
        }
        fronts.values().forEach(RegionFront::close);
        faults.close();
    }
}
