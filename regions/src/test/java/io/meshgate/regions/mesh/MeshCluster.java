package io.meshgate.regions.mesh;

import io.meshgate.edge.server.EdgeNode;
import io.meshgate.edge.server.NodeSettings;
import io.meshgate.edge.testing.Ports;
import io.meshgate.regions.demo.DemoMesh;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.awaitility.Awaitility.await;

/** The demo's three regions started in this JVM on free ports, waited on until every link is up. */
final class MeshCluster implements AutoCloseable {
    final List<EdgeNode> nodes = new ArrayList<>();
    final List<NodeSettings> settings = new ArrayList<>();
    final int nodesPerRegion;
    private final List<DemoMesh.Ports> ports = new ArrayList<>();
    private final String extraYaml;

    MeshCluster(int nodesPerRegion, String extraYaml) {
        this(nodesPerRegion, extraYaml, true);
    }

    /** {@code awaitLive}: wait until every region counts every region live (else return once all started). */
    MeshCluster(int nodesPerRegion, String extraYaml, boolean awaitLive) {
        this(nodesPerRegion, extraYaml, awaitLive, false);
    }

    /**
     * {@code fixedEdgePorts}: the edges bind ports chosen beforehand, so {@link #configYaml} names them and the CLI
     * can find the nodes with it (else they bind any free port).
     */
    MeshCluster(int nodesPerRegion, String extraYaml, boolean awaitLive, boolean fixedEdgePorts) {
        this.nodesPerRegion = nodesPerRegion;
        this.extraYaml = extraYaml;
        for (int i = 0; i < 3 * nodesPerRegion; i++) {
            ports.add(new DemoMesh.Ports(fixedEdgePorts ? Ports.free() : 0, Ports.free(), Ports.free()));
        }
        try {
            settings.addAll(DemoMesh.nodes(ports, nodesPerRegion, null, extraYaml));
            for (NodeSettings node : settings) {
                nodes.add(EdgeNode.start(node));
            }
            if (awaitLive) {
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(this::allLinksUp);
            }
        } catch (RuntimeException | Error e) {
            close();
            throw e;
        }
    }

    /** The deployment as a configuration file, for the CLI's {@code --config}. */
    String configYaml() {
        return DemoMesh.yaml(ports, nodesPerRegion, null, extraYaml);
    }

    boolean allLinksUp() {
        for (EdgeNode node : nodes) {
            for (String region : DemoMesh.REGIONS) {
                if (!node.relay().mesh().regionHealthy(region)) {
                    return false;
                }
            }
        }
        return true;
    }

    /**
     * Stops every node of the region, losing all its state (each region is its own Hazelcast cluster), starts them
     * again from the same settings, and waits until every link is up.
     */
    void restart(String region) {
        stop(region);
        start(region);
    }

    /** Stops every node of the region: its state is gone, and the other regions lose their links to it. */
    void stop(String region) {
        int first = DemoMesh.REGIONS.indexOf(region) * nodesPerRegion;
        for (int i = first + nodesPerRegion - 1; i >= first; i--) {
            nodes.get(i).close();
        }
    }

    /** Starts a stopped region again from its settings, empty, and waits until every link is up. */
    void start(String region) {
        startNoWait(region);
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(this::allLinksUp);
    }

    /** Starts a stopped region again from its settings, empty; returns at once. */
    void startNoWait(String region) {
        int first = DemoMesh.REGIONS.indexOf(region) * nodesPerRegion;
        for (int i = first; i < first + nodesPerRegion; i++) {
            nodes.set(i, EdgeNode.start(settings.get(i)));
        }
    }

    /** Node {@code n} (0-based) of the region. */
    EdgeNode node(String region, int n) {
        return nodes.get(DemoMesh.REGIONS.indexOf(region) * nodesPerRegion + n);
    }

    @Override
    public void close() {
        for (int i = nodes.size() - 1; i >= 0; i--) {
            nodes.get(i).close();
        }
    }
}
