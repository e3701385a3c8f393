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
    final int nodesPerRegion;

    MeshCluster(int nodesPerRegion, String extraYaml) {
        this.nodesPerRegion = nodesPerRegion;
        List<DemoMesh.Ports> ports = new ArrayList<>();
        for (int i = 0; i < 3 * nodesPerRegion; i++) {
            ports.add(new DemoMesh.Ports(0, Ports.free(), Ports.free()));
        }
        try {
            for (NodeSettings settings : DemoMesh.nodes(ports, nodesPerRegion, null, extraYaml)) {
                nodes.add(EdgeNode.start(settings));
            }
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(this::allLinksUp);
        } catch (RuntimeException | Error e) {
            close();
            throw e;
        }
    }

    boolean allLinksUp() {
        for (EdgeNode node : nodes) {
            for (String region : DemoMesh.REGIONS) {
                if (!node.mesh().regionHealthy(region)) {
                    return false;
                }
            }
        }
        return true;
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
