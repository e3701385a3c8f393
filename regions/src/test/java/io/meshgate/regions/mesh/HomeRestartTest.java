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
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * A channel's home region restarts from empty state (all its nodes stop; it keeps nothing). Before it sequences the
 * channel again it takes the head and recent history from the other regions: seqs go on where they stopped under a
 * new epoch, a retried id gets its original position, and history is whole everywhere.
 */
class HomeRestartTest {
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
    void aHomeThatRestartedEmptyContinuesTheSequenceAndStillDedups() {
        String ch = homedIn("ap-south");
        try (WsClient inEurope = WsClient.connect(mesh.node("eu-west", 0).wsUrl(), null);
             WsClient pub = WsClient.connect(mesh.node("us-east", 0).wsUrl(), null)) {
            inEurope.send("{\"op\":\"sub\",\"ch\":\"" + ch + "\"}");
            assertNotNull(inEurope.awaitOp("subscribed"));
            String firstEpoch = null;
            for (int i = 1; i <= 3; i++) {
                JsonNode ack = publish(pub, ch, "r" + i);
                assertEquals(i, ack.path("seq").asLong());
                firstEpoch = ack.path("epoch").asText();
            }

            mesh.restart("ap-south");

            JsonNode fourth = publish(pub, ch, "r4");
            assertEquals(4, fourth.path("seq").asLong(), "the seq after 3 is 4, whichever sequencer assigns it");
            assertNotEquals(firstEpoch, fourth.path("epoch").asText(), "a new sequencer takes a new epoch");
            JsonNode retried = publish(pub, ch, "r2");
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

    private static JsonNode publish(WsClient pub, String ch, String id) {
        pub.send("{\"op\":\"pub\",\"ch\":\"" + ch + "\",\"id\":\"" + id + "\",\"data\":\"" + id + "\"}");
        JsonNode reply = pub.await(f -> f.path("op").asText().matches("ack|nack") && f.path("id").asText().equals(id));
        assertNotNull(reply, "no answer to " + id + ": " + pub.received());
        assertEquals("ack", reply.path("op").asText(), reply.toString());
        return reply;
    }

    private static String homedIn(String region) {
        for (int i = 0; ; i++) {
            String ch = "restart:" + i;
            if (Rendezvous.home(ch, Set.copyOf(DemoMesh.REGIONS)).equals(region)) {
                return ch;
            }
        }
    }
}
