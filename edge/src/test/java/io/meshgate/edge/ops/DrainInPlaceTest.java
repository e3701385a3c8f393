package io.meshgate.edge.ops;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshgate.edge.auth.TokenMinter;
import io.meshgate.edge.protocol.Json;
import io.meshgate.edge.testing.TestRegion;
import io.meshgate.edge.testing.WsClient;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code POST /admin/drain?keep-running=true} and {@code POST /admin/undrain}: out of service and back, no stop. */
class DrainInPlaceTest {
    @Test
    void drainKeepsTheNodeRunningAndUndrainPutsItBack() throws Exception {
        try (TestRegion region = TestRegion.nodes(2).edge(s -> s.withAdminToken("admin-secret")).start()) {
            String token = new TokenMinter(TestRegion.SECRET).mint("dave", List.of("*"), List.of("*"),
                    Duration.ofHours(1));
            String node = region.httpUrl(0);
            WsClient early = WsClient.connect(region.wsUrl(0), token);
            early.send("{\"op\":\"sub\",\"ch\":\"inplace:a\"}");
            assertNotNull(early.awaitOp("subscribed"));

            assertEquals(403, post(node + "/admin/drain?keep-running=true", null).statusCode(), "no token");
            assertEquals(403, post(node + "/admin/undrain", "wrong").statusCode(), "wrong token");
            assertEquals(400, post(node + "/admin/drain?keep-running=true&scope=galaxy", "admin-secret")
                    .statusCode(), "unknown scope");
            assertEquals(200, get(node + "/readyz").statusCode(), "bad calls changed nothing");

            HttpResponse<String> out = post(node + "/admin/drain?keep-running=true&reason=kernel%20patch",
                    "admin-secret");
            assertEquals(200, out.statusCode(), out.body());
            JsonNode outBody = Json.MAPPER.readTree(out.body());
            assertEquals("out_of_service", outBody.path("state").asText());
            assertTrue(outBody.path("changed").asBoolean());
            JsonNode move = early.awaitOp("move");
            assertNotNull(move, "move frame: " + early.received());
            assertEquals("drain", move.path("reason").asText());
            assertEquals(region.wsUrl(1), move.path("url").asText(), "moved to the other node of the region");
            assertEquals(4100, early.closeCode().get(20, TimeUnit.SECONDS));
            HttpResponse<String> ready = get(node + "/readyz");
            assertEquals(503, ready.statusCode());
            assertTrue(ready.body().contains("out of service"), ready.body());

            HttpResponse<String> again = post(node + "/admin/drain?keep-running=true", "admin-secret");
            assertEquals(200, again.statusCode());
            assertFalse(Json.MAPPER.readTree(again.body()).path("changed").asBoolean(), "idempotent: " + again.body());

            WsClient late = WsClient.connect(region.wsUrl(0), token);
            assertNotNull(late.awaitOp("move"), "a client that connects while out of service is moved on");

            HttpResponse<String> back = post(node + "/admin/undrain?reason=patched", "admin-secret");
            assertEquals(200, back.statusCode(), back.body());
            assertEquals("serving", Json.MAPPER.readTree(back.body()).path("state").asText());
            assertTrue(Json.MAPPER.readTree(back.body()).path("changed").asBoolean());
            assertFalse(Json.MAPPER.readTree(post(node + "/admin/undrain", "admin-secret").body())
                    .path("changed").asBoolean(), "idempotent");
            // readyHoldMs keeps it "recovering" for a moment, then ready again.
            await().atMost(Duration.ofSeconds(20)).until(() -> get(node + "/readyz").statusCode() == 200);
            assertFalse(region.node(0).whenDrained().isDone(), "the node never stopped");

            WsClient stays = WsClient.connect(region.wsUrl(0), token);
            stays.send("{\"op\":\"sub\",\"ch\":\"inplace:b\"}");
            assertNotNull(stays.awaitOp("subscribed"), "back in service, clients stay: " + stays.received());
            stays.send("{\"op\":\"pub\",\"ch\":\"inplace:b\",\"id\":\"p1\",\"data\":1}");
            assertNotNull(stays.awaitOp("ack"));
            assertTrue(stays.received().stream().noneMatch(f -> f.path("op").asText().equals("move")), stays.received().toString());

            // Node 2 drains into node 1 again: node 1 announced itself once more as a move target.
            WsClient onTwo = WsClient.connect(region.wsUrl(1), token);
            assertEquals(200, post(region.httpUrl(1) + "/admin/drain?keep-running=true", "admin-secret")
                    .statusCode());
            JsonNode moveBack = onTwo.awaitOp("move");
            assertNotNull(moveBack, onTwo.received().toString());
            assertEquals(region.wsUrl(0), moveBack.path("url").asText());

            // Once a stopping drain has begun, there is no way back.
            assertEquals(202, post(node + "/admin/drain", "admin-secret").statusCode());
            HttpResponse<String> undrain = post(node + "/admin/undrain", "admin-secret");
            assertEquals(409, undrain.statusCode(), undrain.body());
            assertEquals("conflict", Json.MAPPER.readTree(undrain.body()).path("code").asText(),
                    "a refusal is not a malformed request: " + undrain.body());
        }
    }

    @Test
    void aRegionDrainNeedsAnotherRegionToSendClientsTo() throws Exception {
        try (TestRegion region = TestRegion.nodes(1).start()) {
            HttpResponse<String> refused = post(region.httpUrl(0) + "/admin/drain?keep-running=true&scope=region",
                    null);
            assertEquals(409, refused.statusCode(), refused.body());
            assertTrue(refused.body().contains("no other region"), refused.body());
            assertEquals("conflict", Json.MAPPER.readTree(refused.body()).path("code").asText(), refused.body());
            assertEquals(200, get(region.httpUrl(0) + "/readyz").statusCode(), "a refused call changes nothing");
        }
    }

    private static HttpResponse<String> get(String url) throws Exception {
        return DrainTest.get(url);
    }

    private static HttpResponse<String> post(String url, String bearer) throws Exception {
        return DrainTest.post(url, bearer);
    }
}
