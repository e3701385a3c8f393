package io.meshgate.edge.websocket;

import com.auth0.jwt.JWT;
import com.fasterxml.jackson.databind.JsonNode;
import io.meshgate.edge.auth.TokenMinter;
import io.meshgate.edge.testing.TestRegion;
import io.meshgate.edge.testing.WsClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * PROTOCOL.md WebSocket step 7 (issue 11, attack 5): a token's {@code exp} (plus the clock skew, 0 here) ends the
 * connection with {@code error unauthorized} and 4001, unless the client sent {@code refresh} first.
 */
class WsTokenRefreshTest {
    private static final TokenMinter MINTER = new TokenMinter(TestRegion.SECRET);
    private static TestRegion region;

    @BeforeAll
    static void start() {
        region = TestRegion.nodes(1).clockSkewSeconds(0).start();
    }

    @AfterAll
    static void stop() {
        region.close();
    }

    private static String token(String sub, List<String> subscribe, Duration ttl) {
        return MINTER.mint(sub, subscribe, List.of("*"), ttl);
    }

    @Test
    void aConnectionIsClosed4001AtItsTokensExp() throws Exception {
        String token = token("expiring", List.of("*"), Duration.ofSeconds(3));
        long expMs = JWT.decode(token).getExpiresAtAsInstant().toEpochMilli();
        try (WsClient c = WsClient.connect(region.wsUrl(0), token)) {
            c.send("{\"op\":\"sub\",\"ch\":\"exp:a\"}");
            assertNotNull(c.awaitOp("subscribed"));

            JsonNode error = c.await(f -> f.path("op").asText().equals("error"), Duration.ofSeconds(15));
            long seenMs = System.currentTimeMillis();
            assertNotNull(error, "no error frame: " + c.received());
            assertEquals("unauthorized", error.path("code").asText());
            assertEquals("token expired", error.path("reason").asText());
            assertEquals(4001, c.closeCode().get(10, TimeUnit.SECONDS));
            assertTrue(seenMs >= expMs, "closed " + (expMs - seenMs) + " ms before exp");
        }
    }

    @Test
    void aRefreshedConnectionOutlivesTheFirstTokensExp() throws Exception {
        String first = token("refresher", List.of("*"), Duration.ofSeconds(2));
        long firstExpMs = JWT.decode(first).getExpiresAtAsInstant().toEpochMilli();
        String fresh = token("refresher", List.of("*"), Duration.ofHours(1));
        try (WsClient c = WsClient.connect(region.wsUrl(0), first)) {
            c.send("{\"op\":\"refresh\",\"token\":\"" + fresh + "\"}");
            JsonNode refreshed = c.awaitOp("refreshed");
            assertNotNull(refreshed, "received " + c.received());
            assertEquals(JWT.decode(fresh).getExpiresAtAsInstant().getEpochSecond(), refreshed.path("exp").asLong());

            await().atMost(Duration.ofSeconds(15)).until(() -> System.currentTimeMillis() > firstExpMs + 3_000);
            c.send("{\"op\":\"ping\"}");
            assertNotNull(c.awaitOp("pong"), "still open 3 s after the first token's exp: " + c.received());
            assertFalse(c.isClosed());
        }
    }

    @Test
    void aRefreshForAnotherSubIsUnauthorized() throws Exception {
        try (WsClient c = WsClient.connect(region.wsUrl(0), token("alice", List.of("*"), Duration.ofHours(1)))) {
            c.send("{\"op\":\"refresh\",\"token\":\"" + token("mallory", List.of("*"), Duration.ofHours(1)) + "\"}");
            JsonNode error = c.awaitOp("error");
            assertEquals("unauthorized", error.path("code").asText(), error.toString());
            assertEquals(4001, c.closeCode().get(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void aRefreshedTokenThatNoLongerAllowsAChannelEndsThatSubscription() throws Exception {
        try (WsClient c = WsClient.connect(region.wsUrl(0), token("narrowed", List.of("*"), Duration.ofHours(1)))) {
            c.send("{\"op\":\"sub\",\"ch\":\"keep:a\"}");
            assertNotNull(c.awaitOp("subscribed"));
            c.send("{\"op\":\"sub\",\"ch\":\"drop:a\"}");
            assertNotNull(c.awaitOp("subscribed"));

            c.send("{\"op\":\"refresh\",\"token\":\"" + token("narrowed", List.of("keep:*"), Duration.ofHours(1))
                    + "\"}");
            assertNotNull(c.awaitOp("refreshed"));
            JsonNode forbidden = c.awaitOp("error");
            assertEquals("forbidden", forbidden.path("code").asText(), forbidden.toString());
            assertEquals("drop:a", forbidden.path("ch").asText());

            c.send("{\"op\":\"sub\",\"ch\":\"drop:a\"}");
            assertEquals("forbidden", c.awaitOp("error").path("code").asText(), "capabilities were replaced");
            c.send("{\"op\":\"unsub\",\"ch\":\"keep:a\"}");
            assertNotNull(c.awaitOp("unsubscribed"), "the allowed subscription was kept");
        }
    }
}
