package io.meshgate.regions.mesh;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshgate.edge.server.EdgeNode;
import io.meshgate.edge.testing.WsClient;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A node that is not its region's mesh leader carries its publishes to the leader pipelined, on one ordered
 * {@code ForwardStream} (issue 12). A burst on one connection to such a node is acked in send order (G6), and the
 * home sequences it in batches, which it can only do when several publishes of the channel reach it together.
 * Before, such a node forwarded one publish of a channel at a time, each after the one before was answered: the
 * home never saw two together, and under load its acks trailed by seconds (the rolling drain showed 3 to 5 s).
 */
class NonLeaderPublishTest {
    private static final int BURST = 100;

    @Test
    void aBurstThroughANonLeaderNodeIsPipelinedAndAckedInSendOrder() {
        try (MeshCluster mesh = new MeshCluster(2, null)) {
            String ch = MeshClients.homedIn("eu-west", "burst:");
            EdgeNode leader = mesh.node("eu-west", 0);
            EdgeNode follower = mesh.node("eu-west", 1);
            assertTrue((Boolean) leader.relay().mesh().status().get("leader"));
            assertFalse((Boolean) follower.relay().mesh().status().get("leader"));
            try (WsClient warmUp = WsClient.connect(leader.wsUrl(), null)) {
                // Through the leader, so the follower opens its stream only for the burst: the burst's first
                // publish waits for the stream, and the ones behind it must still go pipelined once it is open.
                MeshClients.publishUntilAcked(warmUp, ch, "warm-up");
            }
            try (WsClient pub = WsClient.connect(follower.wsUrl(), null)) {
                for (int i = 0; i < BURST; i++) {
                    pub.send("{\"op\":\"pub\",\"ch\":\"" + ch + "\",\"id\":\"b-" + i + "\",\"data\":" + i + "}");
                }
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50))
                        .until(() -> answers(pub).size() >= BURST);
                java.util.Map<String, JsonNode> byId = new java.util.HashMap<>();
                answers(pub).forEach(a -> byId.put(a.path("id").asText(), a));
                long previousSeq = 0;
                for (int i = 0; i < BURST; i++) {
                    JsonNode answer = byId.get("b-" + i);
                    assertEquals("ack", answer.path("op").asText(), "every publish of the burst is acked: " + answer);
                    long seq = answer.path("seq").asLong();
                    assertTrue(seq > previousSeq, "publish b-" + i + " got seq " + seq + ", not after "
                            + previousSeq + " of the one sent before it: sequenced out of send order (G6)");
                    previousSeq = seq;
                }
            }
            double largestBatch = leader.meters().get("meshgate.publish.batch.size").summary().max();
            assertTrue(largestBatch > 1, "the home sequenced the burst one publish at a time (largest batch "
                    + largestBatch + "): the non-leader node did not pipeline its forwards");
        }
    }

    /** The burst's acks and nacks so far, in arrival order. */
    private static List<JsonNode> answers(WsClient pub) {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode frame : pub.received()) {
            String op = frame.path("op").asText();
            if ((op.equals("ack") || op.equals("nack")) && frame.path("id").asText().startsWith("b-")) {
                out.add(frame);
            }
        }
        return out;
    }
}
