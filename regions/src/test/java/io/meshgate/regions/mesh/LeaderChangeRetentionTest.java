package io.meshgate.regions.mesh;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshgate.edge.server.EdgeNode;
import io.meshgate.edge.testing.WsClient;
import io.meshgate.regions.demo.DemoMesh;
import io.meshgate.relay.mesh.Faults;
import io.meshgate.relay.mesh.Rendezvous;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static io.meshgate.regions.mesh.MeshClients.publishUntilAcked;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 12, item 1, across a leader change at the home: the home keeps what a lagging region still needs even when
 * the mesh leader that learned the lagging region's stored-through mark stops. The marks live in the leader's
 * memory; the new leader has heard nothing from the region that is cut off (that is what lagging means), so it must
 * leave the floor stored in the channel's state alone rather than hand the sequencer "no floor" and trim the
 * history back to {@code history.maxMessages}. Two nodes per region, so the home's leadership moves to its second
 * node while its Hazelcast member, and the channel's state, stay.
 */
class LeaderChangeRetentionTest {
    private static final int MAX_MESSAGES = 20;

    @Test
    void aLeaderChangeAtTheHomeDoesNotForgetWhatALaggingRegionNeeds() {
        try (MeshCluster mesh = new MeshCluster(2, "history:\n  maxMessages: " + MAX_MESSAGES + "\n")) {
            String ch = MeshClients.homedIn("us-east", "lag-leader:");
            List<String> rank = Rendezvous.rank(ch, DemoMesh.REGIONS);
            String home = rank.get(0);
            String other = rank.get(1);
            String lagging = rank.get(2);
            EdgeNode oldLeader = mesh.node(home, 0);
            EdgeNode newLeader = mesh.node(home, 1);
            assertTrue((Boolean) oldLeader.relay().mesh().status().get("leader"), "node 0 of a region is its leader");
            int before = 5;
            int last = before + 2 * (MAX_MESSAGES + 10);
            String epoch;
            try (WsClient sub = WsClient.connect(mesh.node(lagging, 0).wsUrl(), null);
                 WsClient pub = WsClient.connect(newLeader.wsUrl(), null)) {
                sub.send("{\"op\":\"sub\",\"ch\":\"" + ch + "\"}");
                assertNotNull(sub.awaitOp("subscribed"));
                epoch = null;
                for (int i = 1; i <= before; i++) {
                    epoch = publishUntilAcked(pub, ch, "m" + i).path("epoch").asText();
                }
                for (int i = 1; i <= before; i++) {
                    JsonNode msg = sub.await(f -> f.path("op").asText().matches("msg|gap"), Duration.ofSeconds(20));
                    assertNotNull(msg, "message " + i + " reached the subscriber before the cut");
                    assertEquals(i, msg.path("seq").asLong(), msg.toString());
                }

                setCut(mesh, lagging, List.of(home, other), true);
                await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                        .until(() -> !oldLeader.relay().mesh().regionHealthy(lagging)
                                && !mesh.node(other, 0).relay().mesh().regionHealthy(lagging));
                int half = before + MAX_MESSAGES + 10;
                for (int i = before + 1; i <= half; i++) {
                    assertEquals(i, publishUntilAcked(pub, ch, "m" + i).path("seq").asLong());
                }

                // The leader that knows the lagging region's mark stops its mesh; its member (and the state) stays.
                oldLeader.relay().mesh().close();
                await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                        .until(() -> (Boolean) newLeader.relay().mesh().status().get("leader"));
                for (int i = half + 1; i <= last; i++) {
                    JsonNode ack = publishUntilAcked(pub, ch, "m" + i);
                    assertEquals(i, ack.path("seq").asLong());
                    assertEquals(epoch, ack.path("epoch").asText(), "a leader change re-homed the channel: " + ack);
                }
                setCut(mesh, lagging, List.of(home, other), false);
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                        .until(() -> newLeader.relay().mesh().regionHealthy(lagging)
                                && mesh.node(lagging, 0).relay().mesh().regionHealthy(home)
                                && mesh.node(lagging, 0).relay().mesh().canServe());
            }
            String resume = "{\"op\":\"sub\",\"ch\":\"" + ch + "\",\"from\":{\"epoch\":\"" + epoch + "\",\"seq\":"
                    + before + "}}";
            try (WsClient resumed = LaggingRegionRetentionTest.resumeAt(mesh.node(lagging, 0), resume)) {
                for (int i = before + 1; i <= last; i++) {
                    JsonNode frame = resumed.await(f -> f.path("op").asText().matches("msg|gap"),
                            Duration.ofSeconds(20));
                    assertNotNull(frame, "message " + i + " of " + last + " reached the resumed subscriber");
                    assertEquals("msg", frame.path("op").asText(), "an acked message was lost to the region that"
                            + " lagged through the home's leader change: " + frame);
                    assertEquals(i, frame.path("seq").asLong(), "in order, once: " + frame);
                    assertEquals("m" + i, frame.path("id").asText());
                }
                assertNull(resumed.await(f -> f.path("op").asText().matches("msg|gap"), Duration.ofMillis(500)),
                        "nothing twice");
            }
        }
    }

    /**
     * Drops (or stops dropping) every frame between {@code region} and {@code others}, both ways, on every node:
     * faults act on the node that leads, and the home's leadership moves during the test.
     */
    private static void setCut(MeshCluster mesh, String region, List<String> others, boolean cut) {
        Faults.LinkFault fault = new Faults.LinkFault(0, 0, 0, true);
        for (int n = 0; n < mesh.nodesPerRegion; n++) {
            for (String other : others) {
                Faults mine = mesh.node(region, n).relay().mesh().faults();
                Faults theirs = mesh.node(other, n).relay().mesh().faults();
                if (cut) {
                    mine.set(other, fault, "test", "lagging region");
                    theirs.set(region, fault, "test", "lagging region");
                } else {
                    mine.clear(other, "test", "heal");
                    theirs.clear(region, "test", "heal");
                }
            }
        }
    }
}
