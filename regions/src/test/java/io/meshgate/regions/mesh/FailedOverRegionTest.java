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
 * Issue 13, a failed-over region as operators live it. Three one-node regions in this JVM over real gRPC; the admin
 * API as the CLI calls it.
 */
class FailedOverRegionTest {

    /**
     * A region drained (or failed over, which drains it) sends its clients to another region, and never to one that
     * operators have failed over: that region serves no channels and moves its own clients away, so a client sent
     * there would only be moved again. Before, the target was the first other healthy region by name.
     */
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

    /**
     * A failed-over region stays out of service until it is restored: a node of it that is in service (restarted
     * meanwhile, or one the failover command's drain missed) goes out and moves its clients by itself, and
     * {@code undrain} is refused until {@code restore}. Before, such a node served new clients while every status
     * said the region was failed over.
     */
    @Test
    void aFailedOverRegionStaysOutOfServiceUntilRestored() {
        try (MeshCluster mesh = new MeshCluster(1, null)) {
            Http usEast = new Http(mesh.node("us-east", 0).httpUrl());
            EdgeNode apSouth = mesh.node("ap-south", 0);
            Http ap = new Http(apSouth.httpUrl());
            try (WsClient client = WsClient.connect(apSouth.wsUrl(), null)) {
                client.send("{\"op\":\"sub\",\"ch\":\"kept-out:1\"}");
                assertNotNull(client.awaitOp("subscribed"));
                // Only the decision, as when the command's drain did not reach this node.
                Http.Reply failover = usEast.post("/admin/failover?region=ap-south&reason=test", null, "");
                assertEquals(200, failover.status(), failover.toString());
                JsonNode move = client.await(f -> f.path("op").asText().equals("move"), Duration.ofSeconds(20));
                assertNotNull(move, "the failed-over region's client is moved: " + client.received());
                assertEquals("eu-west", move.path("region").asText(), move.toString());
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> ap.get("/readyz", null).status() == 503);

            Http.Reply undrain = ap.post("/admin/undrain?reason=test", null, "");
            assertEquals(409, undrain.status(), undrain.toString());
            assertTrue(undrain.body().contains("is failed over"), undrain.toString());
            assertEquals(503, ap.get("/readyz", null).status(), "still out of service");

            Http.Reply restore = usEast.post("/admin/restore?region=ap-south&reason=test", null, "");
            assertEquals(200, restore.status(), restore.toString());
            await("undrain accepted once the restore reached ap-south").atMost(Duration.ofSeconds(20))
                    .pollInterval(Duration.ofMillis(250))
                    .until(() -> ap.post("/admin/undrain?reason=test", null, "").status() == 200);
            await().atMost(Duration.ofSeconds(20)).until(() -> ap.get("/readyz", null).status() == 200);
        }
    }
}
