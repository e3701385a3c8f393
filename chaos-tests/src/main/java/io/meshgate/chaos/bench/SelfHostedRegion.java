package io.meshgate.chaos.bench;

import io.meshgate.edge.server.EdgeNode;
import io.meshgate.edge.server.NodeSettings;
import io.meshgate.regions.demo.DemoRegion;
import io.micrometer.core.instrument.Gauge;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A region started in this JVM so the benchmark needs nothing running: {@code nodes} EdgeNodes on free loopback
 * ports, one Hazelcast cluster, configured like the demo (insecure auth: connect needs no token; every other
 * setting at its documented default).
 *
 * <p>Its heap probe is this JVM's {@link MemoryMXBean} after {@code System.gc()}: it sees the load generator's
 * objects too, which is why scenario (c) keeps its clients in another process.
 */
final class SelfHostedRegion implements Target, HeapProbe {
    private final List<EdgeNode> nodes = new ArrayList<>();

    private SelfHostedRegion() {
    }

    static SelfHostedRegion start(int size) {
        SelfHostedRegion region = new SelfHostedRegion();
        List<Integer> clusterPorts = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            clusterPorts.add(freePort());
        }
        try {
            // The demo's configuration path, so the figures are those of the documented defaults.
            for (NodeSettings node : DemoRegion.onPorts(clusterPorts)) {
                region.nodes.add(EdgeNode.start(node));
            }
        } catch (RuntimeException e) {
            region.close();
            throw e;
        }
        return region;
    }

    /** Starts draining node {@code index}: its WebSocket clients get {@code move} to another node, then close 4100. */
    void drain(int index, String reason) {
        nodes.get(index).drain(reason);
    }

    @Override
    public List<String> wsUrls() {
        return nodes.stream().map(EdgeNode::wsUrl).toList();
    }

    @Override
    public List<String> idleUrls() {
        return wsUrls(); // every node lives in this JVM, so the heap reading covers them all
    }

    @Override
    public HeapProbe heap() {
        return this;
    }

    @Override
    public Map<String, Object> describe() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("mode", "self-hosted");
        m.put("nodes", nodes.size());
        m.put("wsUrls", wsUrls());
        m.put("auth", "insecure");
        m.put("settings", "the demo's configuration: every key at its documented default (docs/configuration.md)");
        m.put("jvm", "the load generator's JVM (clients of (a) and (b) share it; clients of (c) do not)");
        return m;
    }

    /** The smallest of three readings, each right after a full GC: the closest to the live set. */
    @Override
    public long usedHeapBytes() {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long best = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            System.gc();
            Sleep.millis(300);
            best = Math.min(best, memory.getHeapMemoryUsage().getUsed());
        }
        return best;
    }

    @Override
    public long connections() {
        long total = 0;
        for (EdgeNode node : nodes) {
            Gauge gauge = node.meters().find("meshgate.ws.connections").gauge();
            total += gauge == null ? 0 : (long) gauge.value();
        }
        return total;
    }

    @Override
    public String method() {
        return "MemoryMXBean.getHeapMemoryUsage().getUsed() of the region's JVM (the load generator's), smallest of"
                + " 3 readings each after System.gc(); idle clients held by a separate JVM";
    }

    @Override
    public boolean forcesGc() {
        return true;
    }

    @Override
    public void close() {
        for (EdgeNode node : nodes) {
            try {
                node.relay().region().hazelcast().getLifecycleService().terminate();
            } catch (RuntimeException ignored) {
                // already stopped
            }
            node.close();
        }
        nodes.clear();
    }

    /** A port free on loopback right now (another process could still take it before it is bound). */
    static int freePort() {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(false);
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
