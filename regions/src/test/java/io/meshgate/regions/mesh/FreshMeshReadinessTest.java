package io.meshgate.regions.mesh;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshgate.edge.server.EdgeNode;
import io.meshgate.edge.testing.Http;
import io.meshgate.edge.testing.WsClient;
import io.meshgate.regions.demo.DemoMesh;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A mesh that has just started: a region answers {@code /readyz} 200 only once it can sequence and deliver, so a
 * client that starts the moment every region is ready gets every publish acked at the first try, by homes that
 * reconciled exactly once (term 1: the epoch ends in {@code -1}), and every region lists every region healthy.
 */
class FreshMeshReadinessTest {

    @Test
    void everyRegionIsReadyOnlyWhenItCanSequenceAndStartingChangesNoTerm() {
        try (MeshCluster mesh = new MeshCluster(1, null, false)) {
            for (String region : DemoMesh.REGIONS) {
                Http http = new Http(mesh.node(region, 0).httpUrl());
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50))
                        .until(() -> http.get("/readyz", null).status() == 200);
            }
            for (String region : DemoMesh.REGIONS) {
                JsonNode regions = new Http(mesh.node(region, 0).httpUrl()).get("/v1/regions", null).json();
                regions.path("regions").forEach(r -> assertTrue(r.path("healthy").asBoolean(),
                        region + " is ready but does not list every region healthy: " + regions));
            }
            for (String home : DemoMesh.REGIONS) {
                String ch = MeshClients.homedIn(home, "fresh:");
                for (String from : DemoMesh.REGIONS) {
                    EdgeNode node = mesh.node(from, 0);
                    try (WsClient pub = WsClient.connect(node.wsUrl(), null)) {
                        JsonNode reply = MeshClients.publishOnce(pub, ch, "from-" + from);
                        assertNotNull(reply, "no answer from " + from);
                        assertEquals("ack", reply.path("op").asText(), "publish from ready region " + from
                                + " to a channel homed in " + home + ": " + reply);
                        assertTrue(reply.path("epoch").asText().endsWith("-1"),
                                "the home took the channel at term 1, nothing was fenced twice: " + reply);
                    }
                }
            }
        }
    }
}
