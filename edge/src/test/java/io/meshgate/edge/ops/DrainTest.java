package io.meshgate.edge.ops;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshgate.edge.auth.TokenMinter;
import io.meshgate.edge.testing.TestRegion;
import io.meshgate.edge.testing.WsClient;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Drain: readiness turns false, clients get move then 4100, in-flight publishes are acked, admin is guarded. */
class DrainTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @Test
    void drainMovesClientsAndTurnsReadinessOff() throws Exception {
        try (TestRegion region = TestRegion.nodes(1).edge(s -> s.withAdminToken("admin-secret")).start()) {
            String token = new TokenMinter(TestRegion.SECRET).mint("bob", List.of("*"), List.of("*"),
                    Duration.ofHours(1));
            WsClient client = WsClient.connect(region.wsUrl(0), token);
            client.send("{\"op\":\"sub\",\"ch\":\"drain:a\"}");
            assertNotNull(client.awaitOp("subscribed"));
            client.send("{\"op\":\"pub\",\"ch\":\"drain:a\",\"id\":\"before\",\"data\":1}");
            assertNotNull(client.awaitOp("ack"));
            assertEquals(200, get(region.httpUrl(0) + "/readyz").statusCode());

            assertEquals(403, post(region.httpUrl(0) + "/admin/drain", null).statusCode(), "no token");
            assertEquals(403, post(region.httpUrl(0) + "/admin/drain", "wrong").statusCode(), "wrong token");
            HttpResponse<String> accepted = post(region.httpUrl(0) + "/admin/drain", "admin-secret");
            assertEquals(202, accepted.statusCode());

            JsonNode move = client.awaitOp("move");
            assertNotNull(move, "move frame: " + client.received());
            assertEquals("drain", move.get("reason").asText());
            assertEquals("test-region", move.get("region").asText());
            long afterMs = move.get("after_ms").asLong();
            assertTrue(afterMs >= 0 && afterMs < 5_000, "after_ms within the jitter: " + afterMs);
            assertEquals(4100, client.closeCode().get(20, TimeUnit.SECONDS));

            HttpResponse<String> ready = get(region.httpUrl(0) + "/readyz");
            assertEquals(503, ready.statusCode());
            assertTrue(ready.body().contains("draining"), ready.body());
            await().atMost(Duration.ofSeconds(30)).until(() -> region.node(0).whenDrained().isDone());
        }
    }

    @Test
    void clientsAreMovedToALiveNodeAtTheAddressItAnnouncedAndLateComersAreMovedToo() throws Exception {
        try (TestRegion region = TestRegion.nodes(2).start()) {
            String token = new TokenMinter(TestRegion.SECRET).mint("carol", List.of("*"), List.of("*"),
                    Duration.ofHours(1));
            WsClient early = WsClient.connect(region.wsUrl(0), token);
            assertEquals(202, post(region.httpUrl(0) + "/admin/drain", null).statusCode());

            JsonNode move = early.awaitOp("move");
            assertNotNull(move, "move frame: " + early.received());
            // Both nodes listen on ports the OS picked: only node 2's own announcement can name its real port.
            assertEquals(region.wsUrl(1), move.path("url").asText(), "the move names the other, live node");
            assertEquals(4100, early.closeCode().get(20, TimeUnit.SECONDS));

            WsClient late = WsClient.connect(region.wsUrl(0), token);
            JsonNode lateMove = late.awaitOp("move");
            assertNotNull(lateMove, "a client that connects to a draining node is moved on: " + late.received());
            assertEquals(region.wsUrl(1), lateMove.path("url").asText());
            assertEquals(4100, late.closeCode().get(20, TimeUnit.SECONDS));

            WsClient moved = WsClient.connect(move.path("url").asText(), token);
            moved.send("{\"op\":\"sub\",\"ch\":\"drain:b\"}");
            assertNotNull(moved.awaitOp("subscribed"), "the move target serves: " + moved.received());
        }
    }

    @Test
    void withoutAdminTokenOnlyLoopbackMayDrain() throws Exception {
        try (TestRegion region = TestRegion.nodes(1).start()) {
            // The test talks over 127.0.0.1, so it is loopback: accepted.
            assertEquals(202, post(region.httpUrl(0) + "/admin/drain", null).statusCode());
            assertEquals(404, post(region.httpUrl(0) + "/admin/other", null).statusCode());
        }
    }

    static HttpResponse<String> get(String url) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> post(String url, String bearer) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).POST(HttpRequest.BodyPublishers.noBody());
        if (bearer != null) {
            request.header("Authorization", "Bearer " + bearer);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
