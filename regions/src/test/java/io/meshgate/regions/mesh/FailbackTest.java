package io.meshgate.regions.mesh;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshgate.edge.server.EdgeNode;
import io.meshgate.edge.testing.Http;
import io.meshgate.edge.testing.WsClient;
import io.meshgate.regions.demo.DemoMesh;
import io.meshgate.relay.mesh.Rendezvous;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.meshgate.regions.mesh.MeshClients.publishUntilAcked;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * A home region that went down comes back: it takes its channels back only once its links have been up for
 * {@code mesh.failbackHoldMs} (and it is ready); a subscriber that stays connected in the interim home's region
 * through the fail-back gets every acked message once, in order, although the backlog sequenced meanwhile is larger
 * than {@code history.maxMessages}; and an id sequenced before the home went down, long before the last
 * {@code maxMessages} messages, still dedups at the home that came back empty.
 */
class FailbackTest {
    private static final long HOLD_MS = 6_000;
    private static final int MAX_MESSAGES = 50;
    private static MeshCluster mesh;

    @BeforeAll
    static void start() {
        mesh = new MeshCluster(1, "mesh:\n  failbackHoldMs: " + HOLD_MS + "\nhistory:\n  maxMessages: "
                + MAX_MESSAGES + "\n");
    }

    @AfterAll
    static void stop() {
        if (mesh != null) {
            mesh.close();
        }
    }

    @Test
    void aReturningHomeTakesItsChannelBackOnlyAfterTheHoldAndNothingIsLostOrSequencedTwice() {
        String ch = MeshClients.homedIn("us-east", "failback:");
        List<String> rank = Rendezvous.rank(ch, DemoMesh.REGIONS);
        String interim = rank.get(1);
        int before = 20;
        int backlog = 3 * MAX_MESSAGES;
        try (WsClient stays = WsClient.connect(mesh.node(interim, 0).wsUrl(), null);
             WsClient pub = WsClient.connect(mesh.node(interim, 0).wsUrl(), null)) {
            stays.send("{\"op\":\"sub\",\"ch\":\"" + ch + "\"}");
            assertNotNull(stays.awaitOp("subscribed"));
            String homeEpoch = null;
            for (int i = 1; i <= before; i++) {
                homeEpoch = publishUntilAcked(pub, ch, "m" + i).path("epoch").asText();
            }

            mesh.stop("us-east");
            String interimEpoch = publishUntilAcked(pub, ch, "m" + (before + 1)).path("epoch").asText();
            assertNotEquals(homeEpoch, interimEpoch);

            mesh.startNoWait("us-east");
            EdgeNode returned = mesh.node("us-east", 0);
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                    .until(() -> linksUp(returned) && linksUp(mesh.node(interim, 0)));
            long linkedAt = System.nanoTime();
            Http readyz = new Http(returned.httpUrl());
            // Within the hold the interim home keeps sequencing: a backlog larger than history.maxMessages.
            for (int i = before + 2; i <= before + 1 + backlog; i++) {
                JsonNode ack = publishUntilAcked(pub, ch, "m" + i);
                if (System.nanoTime() - linkedAt < Duration.ofMillis(HOLD_MS - 1_500).toNanos()) {
                    assertEquals(interimEpoch, ack.path("epoch").asText(), "the home took the channel back before"
                            + " mesh.failbackHoldMs passed: " + ack);
                    assertEquals(503, readyz.get("/readyz", null).status(), "ready before the hold passed");
                }
            }
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                    .until(() -> readyz.get("/readyz", null).status() == 200);
            int last = before + 1 + backlog;
            JsonNode after = null;
            for (int i = last + 1; i <= last + 5; i++) {
                after = publishUntilAcked(pub, ch, "m" + i);
            }
            last += 5;
            assertEquals(last, after.path("seq").asLong());
            assertNotEquals(interimEpoch, after.path("epoch").asText(), "the home that came back sequences again");
            assertEquals(1.0, LeaderDrainTest.handovers(returned, "failback"),
                    "the home that came back counts one planned handover of its channel");
            EdgeNode interimNode = mesh.node(interim, 0);
            for (String kind : List.of("failback", "failover", "pin")) {
                assertEquals(0.0, LeaderDrainTest.handovers(interimNode, kind),
                        "taking over from a home that is down is no handover (" + kind + ")");
            }

            JsonNode first = publishUntilAcked(pub, ch, "m1");
            assertEquals(1, first.path("seq").asLong(), "an id sequenced long before (more than history.maxMessages"
                    + " ago) under the first home still dedups at the home that came back empty: " + first);
            assertEquals(homeEpoch, first.path("epoch").asText());
            JsonNode interimOne = publishUntilAcked(pub, ch, "m" + (before + 1));
            assertEquals(before + 1, interimOne.path("seq").asLong(), "an id of the interim home dedups too");

            List<Long> seen = new ArrayList<>();
            for (int i = 1; i <= last; i++) {
                JsonNode frame = stays.await(f -> f.path("op").asText().matches("msg|gap"), Duration.ofSeconds(20));
                assertNotNull(frame, "the subscriber that stayed connected got " + seen.size() + " messages, last "
                        + (seen.isEmpty() ? "none" : seen.get(seen.size() - 1)));
                assertEquals("msg", frame.path("op").asText(), "an acked message was lost: " + frame);
                seen.add(frame.path("seq").asLong());
                assertEquals(i, frame.path("seq").asLong(), "in order, once: " + frame);
                assertEquals("m" + i, frame.path("id").asText());
            }
            assertNull(stays.await(f -> f.path("op").asText().matches("msg|gap"), Duration.ofMillis(500)),
                    "nothing twice");
        }
    }

    @SuppressWarnings("unchecked")
    private static boolean linksUp(EdgeNode node) {
        Map<String, Object> links = (Map<String, Object>) node.relay().mesh().status().get("links");
        return links.values().stream().allMatch(l -> Boolean.TRUE.equals(((Map<String, Object>) l).get("up")));
    }
}
