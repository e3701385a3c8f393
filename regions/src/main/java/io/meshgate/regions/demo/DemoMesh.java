package io.meshgate.regions.demo;

import io.meshgate.edge.auth.AuthSettings;
import io.meshgate.edge.server.NodeSettings;
import io.meshgate.regions.config.GatewayConfig;
import io.meshgate.regions.config.GatewayConfigLoader;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The demo's three regions ({@code us-east}, {@code eu-west}, {@code ap-south}) on 127.0.0.1, each its own
 * Hazelcast cluster, joined by the real mesh over real sockets, through the same configuration path as a
 * deployment. Optionally with emulated round-trip latency on each link.
 */
public final class DemoMesh {
    public static final List<String> REGIONS = List.of("us-east", "eu-west", "ap-south");
    /** Emulated RTTs when asked for: us-east/eu-west, eu-west/ap-south, us-east/ap-south. */
    public static final long[] DEFAULT_RTT_MS = {70, 90, 150};
    /**
     * With latency emulated, the RTT between a browser and each region (us-east, eu-west, ap-south), as if the
     * browser were near us-east: its fronts ({@link DelayFront}) add it to every client connection.
     */
    public static final long[] CLIENT_RTT_MS = {20, 80, 160};

    /** The port of region {@code r}'s client front: {@code edgeBase + 2000 + 10*r}. */
    public static int frontPort(int edgeBase, int region) {
        return edgeBase + 2000 + 10 * region;
    }

    private DemoMesh() {
    }

    /**
     * Ports of one node: edge, relay and cluster. Region {@code r} (0..2), node {@code n} get
     * {@code base + 10*r + n} for the edge, +1000 for the relay, and {@code clusterBase + 10*r + n}.
     */
    public record Ports(int edge, int relay, int cluster) {
    }

    public static List<Ports> defaultPorts(int edgeBase, int clusterBase, int nodesPerRegion) {
        List<Ports> out = new ArrayList<>();
        for (int r = 0; r < REGIONS.size(); r++) {
            for (int n = 0; n < nodesPerRegion; n++) {
                out.add(new Ports(edgeBase + 10 * r + n, edgeBase + 1000 + 10 * r + n, clusterBase + 10 * r + n));
            }
        }
        return out;
    }

    /**
     * Settings of every node, region by region; {@code ports} holds {@code 3 * nodesPerRegion} entries in that
     * order. {@code rttMs} is null for no emulated latency, else the three RTTs as in {@link #DEFAULT_RTT_MS}.
     */
    public static List<NodeSettings> nodes(List<Ports> ports, int nodesPerRegion, long[] rttMs, String extraYaml) {
        return nodes(ports, nodesPerRegion, rttMs, extraYaml, Map.of());
    }

    /** The same, with regions' public URLs (region name → base URL) where clients reach them through a front. */
    public static List<NodeSettings> nodes(List<Ports> ports, int nodesPerRegion, long[] rttMs, String extraYaml,
                                           Map<String, String> publicUrls) {
        GatewayConfig config = config(ports, nodesPerRegion, rttMs, extraYaml, publicUrls);
        List<NodeSettings> out = new ArrayList<>();
        config.regions().forEach(r -> r.nodes().forEach(n -> out.add(config.nodeSettings(n.name()))));
        return out;
    }

    public static GatewayConfig config(List<Ports> ports, int nodesPerRegion, long[] rttMs, String extraYaml) {
        return config(ports, nodesPerRegion, rttMs, extraYaml, Map.of());
    }

    private static GatewayConfig config(List<Ports> ports, int nodesPerRegion, long[] rttMs, String extraYaml,
                                        Map<String, String> publicUrls) {
        GatewayConfig config = GatewayConfigLoader.parse(yaml(ports, nodesPerRegion, rttMs, extraYaml, publicUrls),
                null);
        if (!AuthSettings.MODE_INSECURE.equals(config.auth().mode())) {
            throw new IllegalStateException("the demo must run insecure");
        }
        return config;
    }

    /** The demo as a configuration file: what {@code status --config} reads to find the demo's nodes. */
    public static String yaml(List<Ports> ports, int nodesPerRegion, long[] rttMs, String extraYaml) {
        return yaml(ports, nodesPerRegion, rttMs, extraYaml, Map.of());
    }

    /** The same, with regions' public URLs where clients reach them through a front. */
    public static String yaml(List<Ports> ports, int nodesPerRegion, long[] rttMs, String extraYaml,
                              Map<String, String> publicUrls) {
        StringBuilder yaml = new StringBuilder("regions:\n");
        int i = 0;
        for (String region : REGIONS) {
            yaml.append("  - name: ").append(region).append('\n');
            if (publicUrls.containsKey(region)) {
                yaml.append("    publicUrl: ").append(publicUrls.get(region)).append('\n');
            }
            yaml.append("    nodes:\n");
            for (int n = 0; n < nodesPerRegion; n++) {
                Ports p = ports.get(i++);
                yaml.append("      - {name: ").append(region).append('-').append(n + 1)
                        .append(", host: 127.0.0.1, edgePort: ").append(p.edge()).append(", relayPort: ")
                        .append(p.relay()).append(", clusterPort: ").append(p.cluster()).append("}\n");
            }
        }
        yaml.append("""
                auth:
                  mode: insecure
                drain:
                  moveJitterMs: 1000
                  timeoutMs: 5000
                """);
        if (rttMs != null) {
            yaml.append("mesh:\n  emulatedLatency:\n")
                    .append("    - {between: [us-east, eu-west], rttMs: ").append(rttMs[0]).append("}\n")
                    .append("    - {between: [eu-west, ap-south], rttMs: ").append(rttMs[1]).append("}\n")
                    .append("    - {between: [us-east, ap-south], rttMs: ").append(rttMs[2]).append("}\n");
        }
        if (extraYaml != null) {
            yaml.append(extraYaml);
        }
        return yaml.toString();
    }
}
