package io.meshgate.regions.mesh;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshgate.edge.server.EdgeNode;
import io.meshgate.edge.testing.WsClient;
import io.meshgate.regions.demo.DemoMesh;
import io.meshgate.relay.mesh.Faults;
import io.meshgate.relay.mesh.Rendezvous;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static io.meshgate.regions.mesh.MeshClients.publishUntilAcked;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * Issue 12, item 1: the home keeps what a lagging region still needs, not only {@code history.maxMessages}. A region
 * with a subscriber of a channel is cut off from the mesh (every frame to and from it dropped) while the home
 * sequences more than {@code history.maxMessages} messages, acked because the third region stores them. When the
 * cut heals, the lagging region catches up from the home, and a subscriber there that resumes from the last
 * position it had receives every acked message once, in order, with no {@code gap}: the home kept the messages
 * above the lagging region's stored-through mark beyond {@code maxMessages} (up to
 * {@code history.maxRetainedMessages}).
 */
class LaggingRegionRetentionTest {
    private static final int MAX_MESSAGES = 20;
    private static MeshCluster mesh;

    @BeforeAll
    static void start() {
        mesh = new MeshCluster(1, "history:\n  maxMessages: " + MAX_MESSAGES + "\n");
    }

    @AfterAll
    static void stop() {
        if (mesh != null) {
            mesh.close();
        }
    }

    @Test
    void aRegionThatFellBehindCatchesUpWithoutAGapAfterMoreThanMaxMessages() {
        String ch = MeshClients.homedIn("us-east", "lag:");
        List<String> rank = Rendezvous.rank(ch, DemoMesh.REGIONS);
        String home = rank.get(0);
        String lagging = rank.get(2);
        String other = rank.get(1);
        EdgeNode homeNode = mesh.node(home, 0);
        int before = 5;
        int behind = 3 * MAX_MESSAGES + 10;
        String epoch;
        try (WsClient sub = WsClient.connect(mesh.node(lagging, 0).wsUrl(), null);
             WsClient pub = WsClient.connect(homeNode.wsUrl(), null)) {
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

            cut(lagging, home, other);
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                    .until(() -> !homeNode.relay().mesh().regionHealthy(lagging)
                            && !mesh.node(other, 0).relay().mesh().regionHealthy(lagging));
            for (int i = before + 1; i <= before + behind; i++) {
                assertEquals(i, publishUntilAcked(pub, ch, "m" + i).path("seq").asLong());
            }
            heal(lagging, home, other);
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(mesh::allLinksUp);
        }
        // The subscriber was moved off the cut-off region (or lost its connection); it comes back and resumes there.
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .until(() -> mesh.node(lagging, 0).relay().mesh().canServe());
        int last = before + behind;
        String resume = "{\"op\":\"sub\",\"ch\":\"" + ch + "\",\"from\":{\"epoch\":\"" + epoch + "\",\"seq\":"
                + before + "}}";
        try (WsClient resumed = resumeAt(mesh.node(lagging, 0), resume)) {
            JsonNode subscribed = resumed.received().stream().filter(f -> f.path("op").asText().equals("subscribed"))
                    .findFirst().orElseThrow();
            for (int i = before + 1; i <= last; i++) {
                JsonNode frame = resumed.await(f -> f.path("op").asText().matches("msg|gap"), Duration.ofSeconds(20));
                assertNotNull(frame, "message " + i + " of " + last + " reached the resumed subscriber");
                assertEquals("msg", frame.path("op").asText(), "an acked message was lost to the region that lagged: "
                        + frame + " (subscribed: " + subscribed + ")");
                assertEquals(i, frame.path("seq").asLong(), "in order, once: " + frame);
                assertEquals("m" + i, frame.path("id").asText());
            }
            assertNull(resumed.await(f -> f.path("op").asText().matches("msg|gap"), Duration.ofMillis(500)),
                    "nothing twice");
        }
    }

    /**
     * Connects and subscribes as a client does: a region that has just become able to serve again may still move
     * a new client on ({@code move}, close 4100) until its next check, so on a move the client tries again.
     */
    static WsClient resumeAt(EdgeNode node, String sub) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            WsClient client = WsClient.connect(node.wsUrl(), null);
            try {
                client.send(sub);
                JsonNode reply = client.await(f -> f.path("op").asText().matches("subscribed|move"),
                        Duration.ofSeconds(10));
                if (reply != null && reply.path("op").asText().equals("subscribed")) {
                    return client;
                }
            } catch (RuntimeException closedMeanwhile) {
                // moved on before the sub was sent: try again
            }
            client.close();
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the region that lagged never took the subscriber back");
            }
            java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(200).toNanos()); // a client's backoff
        }
    }

    /** Drops every frame between {@code region} and the others, both ways, as a partition would. */
    private static void cut(String region, String... others) {
        Faults.LinkFault cut = new Faults.LinkFault(0, 0, 0, true);
        for (String other : others) {
            mesh.node(region, 0).relay().mesh().faults().set(other, cut, "test", "lagging region");
            mesh.node(other, 0).relay().mesh().faults().set(region, cut, "test", "lagging region");
        }
    }

    private static void heal(String region, String... others) {
        for (String other : others) {
            mesh.node(region, 0).relay().mesh().faults().clear(other, "test", "heal");
            mesh.node(other, 0).relay().mesh().faults().clear(region, "test", "heal");
        }
    }
}
