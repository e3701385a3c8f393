package io.meshgate.regions.mesh;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshgate.edge.server.EdgeNode;
import io.meshgate.edge.testing.WsClient;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static io.meshgate.regions.mesh.MeshClients.publishUntilAcked;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two nodes per region. Draining a region's mesh leader (its oldest node) moves leadership to the other node and
 * nothing else: the other regions keep counting the region live, so its channels stay where they are (same epoch,
 * seqs go on) and acks elsewhere go on.
 */
class LeaderDrainTest {

    @Test
    void drainingARegionsLeaderReHomesNothing() throws Exception {
        try (MeshCluster mesh = new MeshCluster(2, null)) {
            String ch = MeshClients.homedIn("eu-west", "drain:");
            JsonNode before;
            try (WsClient pub = WsClient.connect(mesh.node("us-east", 0).wsUrl(), null)) {
                before = publishUntilAcked(pub, ch, "d1");
            }
            EdgeNode leader = mesh.node("eu-west", 0);
            assertTrue((Boolean) leader.relay().mesh().status().get("leader"), "node 0 of a region is its leader");
            assertEquals(0.0, handovers(leader, "leader"));
            long drainedAt = System.nanoTime();
            leader.drain("test").get(30, TimeUnit.SECONDS);
            leader.close();
            assertEquals(1.0, handovers(leader, "leader"), "a drained and stopped leader counts its handover");

            try (WsClient pub = WsClient.connect(mesh.node("us-east", 0).wsUrl(), null)) {
                JsonNode after = publishUntilAcked(pub, ch, "d2");
                assertEquals(before.path("epoch").asText(), after.path("epoch").asText(),
                        "draining eu-west's leader must not move its channel (a new epoch means it re-homed): "
                                + after);
                assertEquals(2, after.path("seq").asLong());
            }
            System.out.printf("leader drain: publish acked again %d ms after the drain began%n",
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - drainedAt));
            try (WsClient pub = WsClient.connect(mesh.node("ap-south", 0).wsUrl(), null)) {
                assertEquals(before.path("epoch").asText(), publishUntilAcked(pub, ch, "d3").path("epoch").asText());
            }
        }
    }

    /**
     * A stopping leader hands the leadership over before it leaves its cluster (issue 12, item 3): with only its
     * mesh stopped and its Hazelcast member still running, the region's other node leads at once and the region's
     * channel goes on with the same epoch. Before the handover, the next leader was chosen only once the old member
     * had left the cluster.
     */
    @Test
    void aStoppingLeaderHandsOverBeforeItsMemberLeavesTheCluster() throws Exception {
        try (MeshCluster mesh = new MeshCluster(2, null)) {
            String ch = MeshClients.homedIn("eu-west", "handover:");
            JsonNode before;
            try (WsClient pub = WsClient.connect(mesh.node("us-east", 0).wsUrl(), null)) {
                before = publishUntilAcked(pub, ch, "h1");
            }
            EdgeNode leader = mesh.node("eu-west", 0);
            EdgeNode next = mesh.node("eu-west", 1);
            assertTrue((Boolean) leader.relay().mesh().status().get("leader"), "node 0 of a region is its leader");
            leader.relay().mesh().close();

            await().atMost(Duration.ofSeconds(10)).until(() -> (Boolean) next.relay().mesh().status().get("leader"));
            assertEquals(1.0, handovers(leader, "leader"), "the giver counts the leadership it handed over");
            assertEquals(0.0, handovers(next, "leader"));
            try (WsClient pub = WsClient.connect(mesh.node("us-east", 0).wsUrl(), null)) {
                JsonNode after = publishUntilAcked(pub, ch, "h2");
                assertEquals(before.path("epoch").asText(), after.path("epoch").asText(), "re-homed: " + after);
                assertEquals(2, after.path("seq").asLong());
            }
        }
    }

    /** {@code meshgate_mesh_handovers_total{kind}} as the node's registry holds it. */
    static double handovers(EdgeNode node, String kind) {
        return node.meters().get("meshgate.mesh.handovers").tag("kind", kind).counter().count();
    }
}
