package io.meshgate.regions.mesh;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshgate.edge.server.EdgeNode;
import io.meshgate.edge.testing.Http;
import io.meshgate.edge.testing.WsClient;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A region cut off from the majority of the mesh (here: both other regions stop) stops being ready, refuses
 * publishes at once instead of after a timeout, and moves its WebSocket clients to another region with a URL.
 */
class CutOffRegionTest {

    @Test
    void aRegionCutOffFromTheMajorityRefusesAtOnceAndMovesItsClients() {
        try (MeshCluster mesh = new MeshCluster(1, null)) {
            EdgeNode alone = mesh.node("us-east", 0);
            Http http = new Http(alone.httpUrl());
            try (WsClient client = WsClient.connect(alone.wsUrl(), null)) {
                client.send("{\"op\":\"sub\",\"ch\":\"cut:1\"}");
                assertNotNull(client.awaitOp("subscribed"));
                assertEquals(200, http.get("/readyz", null).status());

                mesh.stop("eu-west");
                mesh.stop("ap-south");

                await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                        .until(() -> http.get("/readyz", null).status() == 503);
                JsonNode move = client.await(f -> f.path("op").asText().equals("move"), Duration.ofSeconds(10));
                assertNotNull(move, "a client of a cut-off region is moved: " + client.received());
                assertEquals("failover", move.path("reason").asText(), move.toString());
                String region = move.path("region").asText();
                assertTrue(region.equals("eu-west") || region.equals("ap-south"), "to another region: " + move);
                assertTrue(move.path("url").asText().startsWith("ws://127.0.0.1:")
                        && move.path("url").asText().endsWith("/v1/ws"), "with its URL: " + move);
            }
            long start = System.nanoTime();
            Http.Reply reply = http.post("/v1/publish", null, "{\"ch\":\"cut:1\",\"id\":\"x1\",\"data\":1}");
            long ms = Duration.ofNanos(System.nanoTime() - start).toMillis();
            assertEquals(503, reply.status(), reply.toString());
            assertEquals("unavailable", reply.json().path("code").asText(), reply.toString());
            assertTrue(ms < 1_000, "refused at once, not after a timeout: " + ms + " ms");
        }
    }

    /**
     * A region that loses its majority within one round of the node's cut-off check after it began to serve still
     * moves its clients. Here nobody asks {@code /readyz}, the check runs once per heartbeat (4 s), and both other
     * regions stop as soon as this one can serve, so the check most likely never sees it serve. Before, the check
     * took such a region for one still starting and left its clients on a node that refused every publish.
     */
    @Test
    void aRegionCutOffWithinOneRoundOfServingStillMovesItsClients() {
        try (MeshCluster mesh = new MeshCluster(1, "mesh:\n  heartbeatMs: 4000\n", false)) {
            EdgeNode alone = mesh.node("us-east", 0);
            try (WsClient client = WsClient.connect(alone.wsUrl(), null)) {
                client.send("{\"op\":\"sub\",\"ch\":\"cut:2\"}");
                assertNotNull(client.awaitOp("subscribed"));
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(10))
                        .until(() -> alone.relay().canServe());
                mesh.stop("eu-west");
                mesh.stop("ap-south");
                JsonNode move = client.await(f -> f.path("op").asText().equals("move"), Duration.ofSeconds(30));
                assertNotNull(move, "a client of a cut-off region is moved: " + client.received());
                assertEquals("failover", move.path("reason").asText(), move.toString());
            }
        }
    }
}
