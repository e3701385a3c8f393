package io.meshgate.relay.node;

import io.meshgate.relay.channel.Message;
import io.meshgate.relay.history.HistoryLimits;
import io.meshgate.relay.history.PublishRequest;
import io.meshgate.relay.history.Sequenced;
import io.meshgate.relay.mesh.Durability;
import io.meshgate.relay.mesh.Faults;
import io.meshgate.relay.mesh.MeshSettings;
import io.meshgate.relay.mesh.PeerAddress;
import io.meshgate.relay.publish.Publisher;
import io.meshgate.relay.region.HazelcastSettings;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A relay node is built from one validated settings object, starts real parts and stops them all. */
class RelayNodeTest {

    @Test
    void invalidSettingsAreRefusedWithTheKeyToFix() {
        assertRefused("publish.queueMax", () -> settings(free(), 256, 0, null));
        assertRefused("relayPort", () -> new RelaySettings("eu-west", "eu-west-1", "127.0.0.1", "127.0.0.1", 70_000,
                cluster(free()), HistoryLimits.DEFAULTS, 256, 10_000, null, null));
        assertRefused("regions[].name", () -> settings(free(), 256, 10_000, mesh("us-east", 500)));
        assertRefused("mesh.heartbeatMs", () -> settings(free(), 256, 10_000, mesh("eu-west", 0)));
    }

    @Test
    void anExposedRelayPortWithoutTlsIsRefusedBeforeAnythingStarts() throws IOException {
        int clusterPort = free();
        RelaySettings exposed = new RelaySettings("eu-west", "eu-west-1", "0.0.0.0", "127.0.0.1", 0,
                cluster(clusterPort), HistoryLimits.DEFAULTS, 256, 10_000, null, null);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> new RelayNode(exposed, new SimpleMeterRegistry(), Clock.systemUTC()).close());
        assertTrue(e.getMessage().contains("mesh.tls"), e.getMessage());
        try (ServerSocket stillFree = new ServerSocket(clusterPort, 1, InetAddress.getByName("127.0.0.1"))) {
            assertEquals(clusterPort, stillFree.getLocalPort(), "Hazelcast never started");
        }
    }

    @Test
    void aStartedNodeSequencesDeliversLocallyAndStopsEverything() throws Exception {
        BlockingQueue<Message> delivered = new LinkedBlockingQueue<>();
        RelayNode node = new RelayNode(settings(free(), 256, 10_000, null), new SimpleMeterRegistry(),
                Clock.systemUTC());
        int relayPort;
        try {
            assertEquals(RelayNode.State.JOINED, node.state());
            node.channels().subscribe("room", node.members().self(), 0, 10).toCompletableFuture()
                    .get(30, TimeUnit.SECONDS);
            Publisher publisher = node.start((channel, messages) -> delivered.addAll(messages));
            assertEquals(RelayNode.State.STARTED, node.state());
            assertThrows(IllegalStateException.class, () -> node.start((c, m) -> { }), "starts once");
            Sequenced acked = publisher.publish("room", new PublishRequest("m-1", "{\"n\":1}"))
                    .get(30, TimeUnit.SECONDS);
            assertEquals(1, acked.position().seq());
            Message message = delivered.poll(30, TimeUnit.SECONDS);
            assertNotNull(message, "the subscribed node got the message");
            assertEquals("m-1", message.id());
            assertTrue(node.canServe());
            assertEquals("eu-west", node.home("room"));
            assertTrue(node.meshOperations().isEmpty(), "one region: no mesh to show or change");
            RegionBoard board = node.regionBoard();
            board.publishRow("node-b", "{\"node\":\"node-b\"}", 10);
            board.publishRow("node-a", "{\"node\":\"node-a\"}", 10);
            assertEquals(java.util.List.of("node-a", "node-b"), java.util.List.copyOf(board.rows().keySet()),
                    "every node's row, by name");
            assertEquals(1, board.channelCount(), "the one channel published to");
            assertEquals(java.util.Set.of("room"), board.channelNames());
            relayPort = node.relayPort();
            try (Socket grpc = new Socket()) {
                grpc.connect(new InetSocketAddress("127.0.0.1", relayPort), 5_000);
            }
        } finally {
            node.close();
        }
        assertEquals(RelayNode.State.CLOSED, node.state());
        assertTrue(!node.canServe(), "the region member left");
        try (Socket gone = new Socket()) {
            assertThrows(ConnectException.class, () -> gone.connect(new InetSocketAddress("127.0.0.1", relayPort),
                    5_000), "the relay port is closed");
        }
    }

    @Test
    void aMeshNodeOffersItsStatusAndFaultsThroughMeshOperations() {
        RelayNode node = new RelayNode(settings(free(), 256, 10_000, mesh("eu-west", 500)), new SimpleMeterRegistry(),
                Clock.systemUTC());
        try {
            MeshOperations mesh = node.meshOperations().orElseThrow();
            assertEquals(List.of("ap-south", "eu-west"), List.copyOf(mesh.regions()), "every region, sorted");
            assertEquals(List.of(), mesh.recentRehomes());
            assertEquals(Map.of(), mesh.faults());
            assertTrue(((Map<?, ?>) mesh.status().get("links")).containsKey("ap-south"), "one link per peer");

            MeshOperations.LinkFault slow = new MeshOperations.LinkFault(150, 10, 0, false);
            mesh.setFault("ap-south", slow, "test", "set");
            assertEquals(Map.of("ap-south", slow), mesh.faults());
            assertEquals(new Faults.LinkFault(150, 10, 0, false), node.mesh().faults().active().get("ap-south"),
                    "set on the mesh's own faults");
            IllegalArgumentException range = assertThrows(IllegalArgumentException.class, () -> mesh.setFault(
                    "ap-south", new MeshOperations.LinkFault(0, 0, 1.5, false), "test", "bad"));
            assertTrue(range.getMessage().startsWith("drop must be"), range.getMessage());
            assertThrows(IllegalArgumentException.class, () -> mesh.setFault("us-east", slow, "test", "no link"));
            assertTrue(mesh.clearFault("ap-south", "test", "clear"));
            assertEquals(0, mesh.clearFaults("test", "clear all"));
            assertEquals(Map.of(), mesh.faults());
        } finally {
            node.close();
        }
    }

    private static void assertRefused(String key, Supplier<RelaySettings> build) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, build::get);
        assertTrue(e.getMessage().startsWith("invalid relay settings: " + key), e.getMessage());
    }

    private static RelaySettings settings(int clusterPort, int batchMax, int queueMax, MeshSettings mesh) {
        return new RelaySettings("eu-west", "eu-west-1", "127.0.0.1", "127.0.0.1", 0, cluster(clusterPort),
                HistoryLimits.DEFAULTS, batchMax, queueMax, mesh, null);
    }

    private static HazelcastSettings cluster(int port) {
        return new HazelcastSettings("relay-node-test-" + port, "127.0.0.1", port, List.of("127.0.0.1:" + port), 0);
    }

    private static MeshSettings mesh(String region, long heartbeatMs) {
        return new MeshSettings(region, Map.of("ap-south", List.of(new PeerAddress("127.0.0.1", 1))),
                Durability.REGION, heartbeatMs, 4, 2, 1000, 5000, 5000, 2000, Map.of(), null);
    }

    private static int free() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
