package io.meshgate.chaos.bench;

import io.meshgate.edge.server.EdgeNode;
import io.meshgate.edge.server.NodeSettings;
import io.meshgate.regions.demo.DemoMesh;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The demo's three regions ({@link DemoMesh#REGIONS}) started in this JVM, one node each, joined by the real mesh
 * over loopback gRPC with emulated link latency, through the demo's configuration path (insecure auth, every other
 * key at its documented default, so {@code mesh.durability: region}). {@link #start} returns once every node sees
 * every region healthy, i.e. every link has answered its heartbeats.
 *
 * <p>Emulated latency is added by the sending link to every frame (half the RTT each way); the edges, the clients
 * and the three Hazelcast clusters all share this JVM and its cores.
 */
final class SelfHostedMesh implements Target {
    private static final long LINKS_UP_TIMEOUT_MS = 60_000;

    private final long[] rttMs;
    private final List<EdgeNode> nodes = new ArrayList<>();
    private long linksUpMillis;
    private Map<String, Object> rttMatrixAtStart = Map.of();

    private SelfHostedMesh(long[] rttMs) {
        this.rttMs = rttMs.clone();
    }

    /** @param rttMs us-east/eu-west, eu-west/ap-south, us-east/ap-south, as {@link DemoMesh#DEFAULT_RTT_MS} */
    static SelfHostedMesh start(long[] rttMs) {
        SelfHostedMesh mesh = new SelfHostedMesh(rttMs);
        List<DemoMesh.Ports> ports = new ArrayList<>();
        for (int i = 0; i < DemoMesh.REGIONS.size(); i++) {
            // Edge on a free port chosen at bind; relay and cluster ports are written into every node's settings.
            ports.add(new DemoMesh.Ports(0, SelfHostedRegion.freePort(), SelfHostedRegion.freePort()));
        }
        long start = System.nanoTime();
        try {
            for (NodeSettings settings : DemoMesh.nodes(ports, 1, rttMs, null)) {
                mesh.nodes.add(EdgeNode.start(settings));
            }
            mesh.awaitLinksUp(start);
        } catch (RuntimeException e) {
            mesh.close();
            throw e;
        }
        return mesh;
    }

    private void awaitLinksUp(long start) {
        long deadline = start + TimeUnit.MILLISECONDS.toNanos(LINKS_UP_TIMEOUT_MS);
        while (!allLinksUp()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("mesh links not all up after " + LINKS_UP_TIMEOUT_MS + " ms: "
                        + nodes.stream().map(n -> n.relay().mesh().status()).toList());
            }
            Sleep.millis(100);
        }
        linksUpMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        rttMatrixAtStart = heartbeatRttMs();
    }

    /**
     * Each region's own row of the mesh's RTT matrix (its leader's latest heartbeat round trip to each peer, in ms;
     * null while not measured): what the emulation plus the servers' own delays amount to right now.
     */
    Map<String, Object> heartbeatRttMs() {
        Map<String, Object> out = new LinkedHashMap<>();
        for (String region : DemoMesh.REGIONS) {
            Object matrix = node(region).relay().mesh().status().get("rttMs");
            out.put(region, matrix instanceof Map<?, ?> m ? m.get(region) : null);
        }
        return out;
    }

    private boolean allLinksUp() {
        for (EdgeNode node : nodes) {
            for (String region : DemoMesh.REGIONS) {
                if (!node.relay().mesh().regionHealthy(region)) {
                    return false;
                }
            }
        }
        return true;
    }

    EdgeNode node(String region) {
        int index = DemoMesh.REGIONS.indexOf(region);
        if (index < 0) {
            throw new IllegalArgumentException("unknown region " + region);
        }
        return nodes.get(index);
    }

    String wsUrl(String region) {
        return node(region).wsUrl();
    }

    /** The configured (emulated) round trip between two regions in ms; 0 within a region. */
    long rttMs(String a, String b) {
        if (a.equals(b)) {
            return 0;
        }
        String pair = a.compareTo(b) < 0 ? a + "/" + b : b + "/" + a;
        return switch (pair) {
            case "eu-west/us-east" -> rttMs[0];
            case "ap-south/eu-west" -> rttMs[1];
            case "ap-south/us-east" -> rttMs[2];
            default -> throw new IllegalArgumentException("no link between " + a + " and " + b);
        };
    }

    /** Half the configured round trip: what the sending link adds to every frame. */
    double oneWayMs(String from, String to) {
        return rttMs(from, to) / 2.0;
    }

    /** Every region's durability setting as its node reports it (the same everywhere with the demo's file). */
    String durability() {
        return String.valueOf(node(DemoMesh.REGIONS.get(0)).relay().mesh().status().get("durability"));
    }

    @Override
    public List<String> wsUrls() {
        return nodes.stream().map(EdgeNode::wsUrl).toList();
    }

    @Override
    public List<String> idleUrls() {
        return wsUrls();
    }

    /** Not measured here: the heap scenarios run against {@link SelfHostedRegion}. */
    @Override
    public HeapProbe heap() {
        throw new UnsupportedOperationException("the cross-region target does not measure heap");
    }

    @Override
    public Map<String, Object> describe() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("mode", "self-hosted mesh");
        m.put("regions", DemoMesh.REGIONS);
        m.put("nodesPerRegion", 1);
        Map<String, String> urls = new LinkedHashMap<>();
        for (String region : DemoMesh.REGIONS) {
            urls.put(region, wsUrl(region));
        }
        m.put("wsUrls", urls);
        m.put("emulatedRttMs", Map.of("us-east/eu-west", rttMs[0], "eu-west/ap-south", rttMs[1],
                "us-east/ap-south", rttMs[2]));
        m.put("heartbeatRttMsAtLinksUp", rttMatrixAtStart);
        m.put("durability", durability());
        m.put("linksUpMillis", linksUpMillis);
        m.put("auth", "insecure");
        m.put("settings", "the demo mesh's configuration (DemoMesh): every other key at its documented default");
        m.put("jvm", "the load generator's JVM: all three regions, their Hazelcast members and every client");
        return m;
    }

    @Override
    public void close() {
        for (int i = nodes.size() - 1; i >= 0; i--) {
            nodes.get(i).close(); // one member per cluster: nothing to migrate, so a plain close is quick
        }
        nodes.clear();
    }
}
