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
 * Issue 13: a region drained (or failed over, which drains it) sends its clients to another region, and never to
 * one that operators have failed over: that region serves no channels and moves its own clients away, so a client
 * sent there would only be moved again. Before, the target was the first other healthy region by name, failed over
 * or not. Three one-node regions in this JVM over real gRPC; the admin API as the CLI calls it.
 */
class FailedOverMoveTargetTest {

    @Test
    void aDrainedRegionsClientsAreNotSentToAFailedOverRegion() {
        try (MeshCluster mesh = new MeshCluster(1, null)) {
            Http usEast = new Http(mesh.node("us-east", 0).httpUrl());
            Http.Reply failover = usEast.post("/admin/failover?region=eu-west&reason=test", null, "");
            assertEquals(200, failover.status(), failover.toString());
            EdgeNode apSouth = mesh.node("ap-south", 0);
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                    .until(() -> apSouth.relay().mesh().overrides().evacuated().contains("eu-west"));

            try (WsClient client = WsClient.connect(apSouth.wsUrl(), null)) {
                client.send("{\"op\":\"sub\",\"ch\":\"moved:1\"}");
                assertNotNull(client.awaitOp("subscribed"));
                Http.Reply drain = new Http(apSouth.httpUrl()).post(
                        "/admin/drain?keep-running=true&scope=region&reason=test", null, "");
                assertEquals(200, drain.status(), drain.toString());
                JsonNode move = client.await(f -> f.path("op").asText().equals("move"), Duration.ofSeconds(20));
                assertNotNull(move, "the drained region's client is moved: " + client.received());
                assertEquals("us-east", move.path("region").asText(),
                        "eu-west comes first by name but is failed over: " + move);
                assertTrue(move.path("url").asText().endsWith("/v1/ws"), "with its URL: " + move);
            }
        }
    }
}
