package io.meshgate.regions.cli;

import io.meshgate.edge.server.EdgeNode;
import io.meshgate.edge.server.NodeSettings;
import io.meshgate.edge.server.PortInUseException;
import io.meshgate.edge.testing.Ports;
import io.meshgate.regions.demo.DemoMesh;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A node whose edge or cluster port is taken refuses to start with one sentence naming the port and the option. */
class PortInUseTest {

    @Test
    void aTakenEdgePortIsNamedWithTheOptionThatMovesIt() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            NodeSettings node = demoNode(taken.getLocalPort(), Ports.free(), Ports.free());
            PortInUseException e = assertThrows(PortInUseException.class, () -> EdgeNode.start(node));
            assertTrue(e.getMessage().startsWith("edge port " + taken.getLocalPort() + " on 127.0.0.1 is already in use"),
                    e.getMessage());
            assertTrue(e.getMessage().contains("--port"), e.getMessage());
        }
    }

    @Test
    void aTakenClusterPortHintsAtClusterPort() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            NodeSettings node = demoNode(Ports.free(), Ports.free(), taken.getLocalPort());
            PortInUseException e = assertThrows(PortInUseException.class, () -> EdgeNode.start(node));
            assertTrue(e.getMessage().startsWith("cluster port " + taken.getLocalPort()), e.getMessage());
            assertTrue(e.getMessage().contains("--cluster-port") && e.getMessage().contains("clusterPort"),
                    e.getMessage());
            assertEquals(1, e.getMessage().lines().count(), "one line");
        }
    }

    /** us-east's node of a demo whose us-east ports are the given ones. */
    private static NodeSettings demoNode(int edge, int relay, int cluster) {
        List<DemoMesh.Ports> ports = List.of(new DemoMesh.Ports(edge, relay, cluster),
                new DemoMesh.Ports(Ports.free(), Ports.free(), Ports.free()),
                new DemoMesh.Ports(Ports.free(), Ports.free(), Ports.free()));
        return DemoMesh.nodes(ports, 1, null, null).get(0);
    }
}
