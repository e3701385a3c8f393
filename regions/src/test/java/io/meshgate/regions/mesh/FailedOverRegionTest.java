package io.meshgate.regions.mesh;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshgate.edge.server.EdgeNode;
import io.meshgate.edge.testing.Http;
import io.meshgate.edge.testing.WsClient;
import io.meshgate.regions.cli.CliRun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

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
            Http.Reply pin = usEast.post("/admin/pin?channel=moved:1&region=eu-west&reason=test", null, "");
            assertEquals(409, pin.status(), "no pin to a failed-over region: " + pin);
            assertEquals("conflict", pin.json().path("code").asText(), "a refused change, not a bad request: " + pin);

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
                assertEquals("failover", move.path("reason").asText(), "a failover, not a drain: " + move);
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> ap.get("/readyz", null).status() == 503);

            Http.Reply undrain = ap.post("/admin/undrain?reason=test", null, "");
            assertEquals(409, undrain.status(), undrain.toString());
            assertTrue(undrain.body().contains("is failed over"), undrain.toString());
            assertEquals("conflict", undrain.json().path("code").asText(), undrain.toString());
            assertEquals(503, ap.get("/readyz", null).status(), "still out of service");

            Http.Reply restore = usEast.post("/admin/restore?region=ap-south&reason=test", null, "");
            assertEquals(200, restore.status(), restore.toString());
            await("undrain accepted once the restore reached ap-south").atMost(Duration.ofSeconds(20))
                    .pollInterval(Duration.ofMillis(250))
                    .until(() -> ap.post("/admin/undrain?reason=test", null, "").status() == 200);
            await().atMost(Duration.ofSeconds(20)).until(() -> ap.get("/readyz", null).status() == 200);
        }
    }

    /**
     * {@code failover --region R} as operators run it (the CLI, in-process, against the running mesh): R's clients,
     * those connected and one that connects afterwards, get {@code move} with reason {@code failover}, as protocol v1
     * names it; a region drain's clients keep reason {@code drain}. Before, the command's region drain sent
     * {@code drain} to every client of a failed-over region.
     */
    @Test
    void theFailoverCommandMovesTheRegionsClientsWithReasonFailover(@TempDir Path dir) throws Exception {
        try (MeshCluster mesh = new MeshCluster(1, null, true, true)) {
            Path config = Files.writeString(dir.resolve("mesh.yaml"), mesh.configYaml());
            EdgeNode euWest = mesh.node("eu-west", 0);
            JsonNode move = moveOfASubscriberWhile(euWest, () -> CliRun.run("failover", "--config",
                    config.toString(), "--region", "eu-west", "--reason", "provider incident"));
            assertEquals("failover", move.path("reason").asText(), move.toString());
            assertEquals("ap-south", move.path("region").asText(), "the first other region by name: " + move);
            assertEquals("failover", lateMove(euWest), "a client that connects afterwards is moved on too");

            // A drain is still a drain.
            move = moveOfASubscriberWhile(mesh.node("ap-south", 0), () -> CliRun.run("drain", "--config",
                    config.toString(), "--region", "ap-south", "--reason", "kernel patch"));
            assertEquals("drain", move.path("reason").asText(), move.toString());
            assertEquals("us-east", move.path("region").asText(), "eu-west is failed over: " + move);
        }
    }

    /** The {@code move} a subscriber of {@code node} gets once {@code command} ran and exited 0. */
    private static JsonNode moveOfASubscriberWhile(EdgeNode node, java.util.function.Supplier<CliRun> command) {
        try (WsClient client = WsClient.connect(node.wsUrl(), null)) {
            client.send("{\"op\":\"sub\",\"ch\":\"reason:1\"}");
            assertNotNull(client.awaitOp("subscribed"));
            CliRun run = command.get();
            assertEquals(0, run.code(), run.toString());
            JsonNode move = client.await(f -> f.path("op").asText().equals("move"), Duration.ofSeconds(20));
            assertNotNull(move, "the client is moved: " + client.received());
            return move;
        }
    }

    /**
     * Two movers on one node do not undo each other: a drained region that is then cut off from the mesh majority
     * (its clients are moved by the cut-off) and serves again afterwards still moves every client that connects,
     * because the operator's drain is still in force. Before, the cut-off's "serving again" withdrew whatever order
     * was in force, the drain's included, and late comers stayed on a node out of service.
     */
    @Test
    void aRegionThatServesAgainAfterACutOffKeepsItsOperatorsDrain() {
        try (MeshCluster mesh = new MeshCluster(1, null)) {
            EdgeNode usEast = mesh.node("us-east", 0);
            Http http = new Http(usEast.httpUrl());
            Http.Reply drain = http.post("/admin/drain?keep-running=true&scope=region&reason=test", null, "");
            assertEquals(200, drain.status(), drain.toString());

            mesh.stop("eu-west");
            mesh.stop("ap-south");
            await("the cut-off's order is in force").atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(200)).until(() -> "failover".equals(lateMove(usEast)));
            mesh.startNoWait("eu-west");
            mesh.startNoWait("ap-south");
            await("us-east serves again").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                    .until(() -> usEast.relay().canServe());
            String[] late = new String[1];
            await("the cut-off's order is withdrawn").atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> !"failover".equals(late[0] = lateMove(usEast)));
            assertEquals("drain", late[0], "the drain is still in force: a client that connects now is moved on");
            assertEquals(503, http.get("/readyz", null).status(), "still out of service");
        }
    }

    /**
     * The one "nowhere to go" a node can see: when every other region is failed over, a region drain is refused and
     * changes nothing. (Every other region only drained is not seen: docs/operations.md says why.)
     */
    @Test
    void aRegionDrainIsRefusedWhenEveryOtherRegionIsFailedOver() {
        try (MeshCluster mesh = new MeshCluster(1, null)) {
            Http usEast = new Http(mesh.node("us-east", 0).httpUrl());
            for (String region : List.of("eu-west", "ap-south")) {
                Http.Reply failover = usEast.post("/admin/failover?region=" + region + "&reason=test", null, "");
                assertEquals(200, failover.status(), failover.toString());
            }
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).until(() ->
                    mesh.node("us-east", 0).relay().mesh().overrides().evacuated().size() == 2);
            Http.Reply drain = usEast.post("/admin/drain?keep-running=true&scope=region&reason=test", null, "");
            assertEquals(409, drain.status(), drain.toString());
            assertEquals("conflict", drain.json().path("code").asText(), drain.toString());
            assertTrue(drain.body().contains("no other region"), drain.toString());
            assertEquals(200, usEast.get("/readyz", null).status(), "nothing changed");
        }
    }

    /** The reason of the {@code move} a client that connects now gets, null when it gets none. */
    private static String lateMove(EdgeNode node) {
        try (WsClient client = WsClient.connect(node.wsUrl(), null)) {
            JsonNode move = client.await(f -> f.path("op").asText().equals("move"), Duration.ofSeconds(3));
            return move == null ? null : move.path("reason").asText();
        }
    }
}
