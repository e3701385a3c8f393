package io.meshgate.regions.mesh;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshgate.edge.testing.WsClient;
import io.meshgate.relay.mesh.Faults;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import static io.meshgate.regions.mesh.MeshClients.publishUntilAcked;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 12, G2: the last delivery of a channel that then goes quiet is lost on its way to one region (every frame
 * the home sends to that region dropped for a moment, while the link stays up), and the publish is acked because
 * the third region stored it. No later delivery shows that region the hole, and no link comes back up to sync it,
 * so before head notices its subscriber never got the acked message. Now the home tells the regions with interest
 * the channel's head once it goes quiet, and the region fetches what it lacks: the subscriber gets the message,
 * once, in order. Three one-node regions in this JVM over real gRPC links; the drop is the mesh's own fault
 * injection ({@code admin.faults}).
 */
class LostLastDeliveryTest {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static MeshCluster mesh;

    @BeforeAll
    static void start() {
        // A link that misses heartbeats for the drop's moment must stay up: a link that went down and up again would
        // be caught up by its link-up sync, and this test is about the loss no link event reveals.
        mesh = new MeshCluster(1, "admin:\n  faults: true\nmesh:\n  downAfterMissed: 40\n");
    }

    @AfterAll
    static void stop() {
        if (mesh != null) {
            mesh.close();
        }
    }

    @Test
    void aRegionThatLostTheLastDeliveryOfAQuietChannelStillGetsIt() throws Exception {
        String ch = MeshClients.homedIn("eu-west", "quiet-tail:");
        Faults homeFaults = mesh.node("eu-west", 0).relay().mesh().faults();
        try (WsClient sub = WsClient.connect(mesh.node("ap-south", 0).wsUrl(), null);
             WsClient pub = WsClient.connect(mesh.node("eu-west", 0).wsUrl(), null)) {
            sub.send("{\"op\":\"sub\",\"ch\":\"" + ch + "\"}");
            assertNotNull(sub.awaitOp("subscribed"));
            for (int i = 1; i <= 2; i++) {
                assertEquals(i, publishUntilAcked(pub, ch, "m" + i).path("seq").asLong());
                JsonNode msg = sub.await(f -> f.path("op").asText().matches("msg|gap"), Duration.ofSeconds(20));
                assertNotNull(msg, "message " + i + " reached ap-south before the drop");
                assertEquals(i, msg.path("seq").asLong(), msg.toString());
            }

            homeFaults.set("ap-south", new Faults.LinkFault(0, 0, 1.0, false), "test", "lose the last delivery");
            try {
                // Acked once us-east stored it; the copy for ap-south was dropped when the home sent it.
                assertEquals(3, publishUntilAcked(pub, ch, "m3").path("seq").asLong());
            } finally {
                homeFaults.clear("ap-south", "test", "the drop is over");
            }
            assertTrue(mesh.allLinksUp(), "the link to ap-south stayed up through the drop");

            JsonNode third = sub.await(f -> f.path("op").asText().matches("msg|gap"), Duration.ofSeconds(15));
            assertNotNull(third, "the acked message whose delivery was lost never reached ap-south's subscriber");
            assertEquals("msg", third.path("op").asText(), third.toString());
            assertEquals(3, third.path("seq").asLong(), third.toString());
            assertEquals("m3", third.path("id").asText(), third.toString());
            assertNull(sub.await(f -> f.path("op").asText().matches("msg|gap"), Duration.ofMillis(1500)),
                    "nothing twice");
        }
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200))
                .until(() -> counter(mesh.node("ap-south", 0).httpUrl(), "meshgate_mesh_head_notices_behind_total")
                        >= 1);
    }

    /** A counter's value from a node's {@code /metrics} (let in from loopback); 0 when absent. */
    private static double counter(String base, String name) throws Exception {
        String body = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).timeout(Duration.ofSeconds(10))
                .GET().build(), HttpResponse.BodyHandlers.ofString()).body();
        return body.lines().filter(l -> l.startsWith(name + " ") || l.startsWith(name + "{"))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }
}
