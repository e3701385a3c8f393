package io.meshgate.regions.mesh;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshgate.edge.testing.WsClient;
import io.meshgate.regions.demo.DemoMesh;
import io.meshgate.relay.mesh.Rendezvous;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static io.meshgate.regions.mesh.MeshClients.publishUntilAcked;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * Three regions in this JVM. A channel's home region goes down: the channel re-homes to the runner-up of its
 * rendezvous ranking over the regions still live, which reconciles it before sequencing. Seqs go on from the last
 * one under a new epoch, ids used before still dedup, and a subscriber in the third region sees one contiguous
 * sequence. When the region comes back (empty) it takes the channel back the same way. And a home region that
 * restarts from empty state (all its nodes stop; it keeps nothing) reconciles before it serves or sequences the
 * channel again: a subscriber there is told the channel's head, seqs go on where they stopped under a new epoch, a
 * retried id gets its original position, and history is whole everywhere.
 */
class RegionFailoverTest {
    private static MeshCluster mesh;

    @BeforeAll
    static void start() {
        mesh = new MeshCluster(1, null);
    }

    @AfterAll
    static void stop() {
        if (mesh != null) {
            mesh.close();
        }
    }

    @Test
    void aChannelFollowsItsHomeAwayAndBackWithoutLossOrDuplicates() {
        String ch = null;
        List<String> rank = null;
        for (int i = 0; ch == null; i++) {
            String candidate = "failover:" + i;
            rank = Rendezvous.rank(candidate, DemoMesh.REGIONS);
            if (rank.get(0).equals("us-east")) {
                ch = candidate;
            }
        }
        String runnerUp = rank.get(1);
        String third = rank.get(2);
        try (WsClient sub = WsClient.connect(mesh.node(third, 0).wsUrl(), null);
             WsClient pub = WsClient.connect(mesh.node(runnerUp, 0).wsUrl(), null)) {
            sub.send("{\"op\":\"sub\",\"ch\":\"" + ch + "\"}");
            assertNotNull(sub.awaitOp("subscribed"));
            String homeEpoch = null;
            for (int i = 1; i <= 3; i++) {
                JsonNode ack = publishUntilAcked(pub, ch, "a" + i);
                assertEquals(i, ack.path("seq").asLong());
                homeEpoch = ack.path("epoch").asText();
            }

            mesh.stop("us-east");

            JsonNode fourth = publishUntilAcked(pub, ch, "a4");
            assertEquals(4, fourth.path("seq").asLong(), "the seq after 3 is 4 while the home is down: " + fourth);
            String interimEpoch = fourth.path("epoch").asText();
            assertNotEquals(homeEpoch, interimEpoch, "the interim home is a new sequencer: a new epoch");
            try (WsClient fromThird = WsClient.connect(mesh.node(third, 0).wsUrl(), null)) {
                assertEquals(5, publishUntilAcked(fromThird, ch, "a5").path("seq").asLong());
                JsonNode retried = publishUntilAcked(fromThird, ch, "a2");
                assertEquals(2, retried.path("seq").asLong(), "an id acked by the old home still dedups");
                assertEquals(homeEpoch, retried.path("epoch").asText());
            }

            mesh.start("us-east");

            JsonNode sixth = publishUntilAcked(pub, ch, "a6");
            assertEquals(6, sixth.path("seq").asLong(), "the home that came back continues: " + sixth);
            assertNotEquals(interimEpoch, sixth.path("epoch").asText());
            assertNotEquals(homeEpoch, sixth.path("epoch").asText(), "it restarted empty: another new epoch");
            assertEquals(4, publishUntilAcked(pub, ch, "a4").path("seq").asLong(),
                    "an id acked by the interim home dedups at the home that came back");

            List<Long> seen = new ArrayList<>();
            for (int i = 1; i <= 6; i++) {
                JsonNode msg = sub.awaitOp("msg");
                assertNotNull(msg, "the subscriber in " + third + " got " + seen + ": " + sub.received());
                seen.add(msg.path("seq").asLong());
                assertEquals("a" + msg.path("seq").asLong(), msg.path("id").asText());
            }
            assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L), seen);
            assertNull(sub.await(f -> f.path("op").asText().equals("msg"), Duration.ofMillis(500)),
                    "nothing twice");
        }
        try (WsClient atHome = WsClient.connect(mesh.node("us-east", 0).wsUrl(), null)) {
            atHome.send("{\"op\":\"sub\",\"ch\":\"" + ch + "\",\"from\":{\"epoch\":\"x\",\"seq\":0}}");
            JsonNode subscribed = atHome.awaitOp("subscribed");
            assertEquals(6, subscribed.path("seq").asLong(), subscribed.toString());
            for (int i = 1; i <= 6; i++) {
                JsonNode msg = atHome.awaitOp("msg");
                assertNotNull(msg);
                assertEquals(i, msg.path("seq").asLong(), "the home holds the whole history again");
            }
        }
    }

    @Test
    void aHomeThatRestartedEmptyContinuesTheSequenceAndStillDedups() {
        String ch = homedIn("ap-south");
        try (WsClient inEurope = WsClient.connect(mesh.node("eu-west", 0).wsUrl(), null);
             WsClient pub = WsClient.connect(mesh.node("us-east", 0).wsUrl(), null)) {
            inEurope.send("{\"op\":\"sub\",\"ch\":\"" + ch + "\"}");
            assertNotNull(inEurope.awaitOp("subscribed"));
            String firstEpoch = null;
            for (int i = 1; i <= 3; i++) {
                JsonNode ack = publishUntilAcked(pub, ch, "r" + i);
                assertEquals(i, ack.path("seq").asLong());
                firstEpoch = ack.path("epoch").asText();
            }

            mesh.restart("ap-south");

            try (WsClient early = WsClient.connect(mesh.node("ap-south", 0).wsUrl(), null)) {
                early.send("{\"op\":\"sub\",\"ch\":\"" + ch + "\"}");
                JsonNode subscribed = early.awaitOp("subscribed");
                assertEquals(3, subscribed.path("seq").asLong(), "before anything is published there, the restarted"
                        + " home reports the channel's head, not its own empty view: " + subscribed);
            }

            JsonNode fourth = publishUntilAcked(pub, ch, "r4");
            assertEquals(4, fourth.path("seq").asLong(), "the seq after 3 is 4, whichever sequencer assigns it");
            assertNotEquals(firstEpoch, fourth.path("epoch").asText(), "a new sequencer takes a new epoch");
            JsonNode retried = publishUntilAcked(pub, ch, "r2");
            assertEquals(2, retried.path("seq").asLong(), "an id used before the restart still dedups: " + retried);
            assertEquals(firstEpoch, retried.path("epoch").asText());

            List<Long> seen = new ArrayList<>();
            for (int i = 1; i <= 4; i++) {
                JsonNode msg = inEurope.awaitOp("msg");
                assertNotNull(msg, "eu-west's subscriber got " + seen);
                seen.add(msg.path("seq").asLong());
            }
            assertEquals(List.of(1L, 2L, 3L, 4L), seen);
            assertNull(inEurope.await(f -> f.path("op").asText().equals("msg"), Duration.ofMillis(500)),
                    "nothing twice");
        }
        try (WsClient atHome = WsClient.connect(mesh.node("ap-south", 0).wsUrl(), null)) {
            atHome.send("{\"op\":\"sub\",\"ch\":\"" + ch + "\",\"from\":{\"epoch\":\"x\",\"seq\":0}}");
            JsonNode subscribed = atHome.awaitOp("subscribed");
            assertEquals(4, subscribed.path("seq").asLong(), subscribed.toString());
            for (int i = 1; i <= 4; i++) {
                JsonNode msg = atHome.awaitOp("msg");
                assertNotNull(msg);
                assertEquals(i, msg.path("seq").asLong(), "the restarted home holds the history again");
                assertEquals("r" + i, msg.path("id").asText());
            }
        }
    }

    private static String homedIn(String region) {
        return MeshClients.homedIn(region, "restart:");
    }
}
