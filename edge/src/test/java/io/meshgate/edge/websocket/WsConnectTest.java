package io.meshgate.edge.websocket;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshgate.edge.server.EdgeSettings;
import io.meshgate.edge.testing.TestRegion;
import io.meshgate.edge.testing.WsClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Set;
import java.util.concurrent.TimeUnit;

import static io.meshgate.edge.testing.Proto.assertAlive;
import static io.meshgate.edge.testing.Proto.assertError;
import static io.meshgate.edge.testing.Proto.awaitOp;
import static io.meshgate.edge.testing.Proto.expiredToken;
import static io.meshgate.edge.testing.Proto.fields;
import static io.meshgate.edge.testing.Proto.foreignToken;
import static io.meshgate.edge.testing.Proto.token;
import static io.meshgate.edge.testing.Proto.tokenWithoutExp;
import static io.meshgate.edge.testing.Proto.tokenWithoutSub;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * PROTOCOL.md, WebSocket step 1: {@code connect} / {@code connected}, the unauthorized paths (error then close
 * 4001) and the connect timeout. The connect timeout is shortened to 1 s here; the default (10 s) is checked on
 * the settings.
 */
class WsConnectTest {
    private static final long CONNECT_TIMEOUT_MS = 1_000;
    static TestRegion region;

    @BeforeAll
    static void start() {
        region = TestRegion.nodes(1).edge(s -> s.withConnectTimeoutMs(CONNECT_TIMEOUT_MS)).start();
    }

    @AfterAll
    static void stop() {
        region.close();
    }

    private static WsClient open() {
        return WsClient.open(region.wsUrl(0));
    }

    private static int closeCode(WsClient client) throws Exception {
        return client.closeCode().get(20, TimeUnit.SECONDS);
    }

    @Test
    void goodTokenIsAnsweredConnectedWithSessionRegionNodeAndPingInterval() {
        try (WsClient client = open()) {
            client.send("{\"op\":\"connect\",\"token\":\"" + token("alice") + "\"}");
            JsonNode connected = awaitOp(client, "connected");
            assertEquals(Set.of("op", "session", "region", "node", "ping_ms"), fields(connected), connected.toString());
            assertTrue(connected.get("session").isTextual() && !connected.get("session").asText().isEmpty());
            assertEquals("test-region", connected.get("region").asText());
            assertEquals("node-1", connected.get("node").asText());
            assertTrue(connected.get("ping_ms").isIntegralNumber());
            assertEquals(15_000, connected.get("ping_ms").asLong());
            assertAlive(client);
        }
    }

    @Test
    void sessionFromAnEarlierConnectedIsKept() {
        String session;
        try (WsClient first = open()) {
            first.send("{\"op\":\"connect\",\"token\":\"" + token("bob") + "\"}");
            session = awaitOp(first, "connected").get("session").asText();
        }
        try (WsClient second = open()) {
            second.send("{\"op\":\"connect\",\"token\":\"" + token("bob") + "\",\"session\":\"" + session + "\"}");
            assertEquals(session, awaitOp(second, "connected").get("session").asText());
        }
    }

    @Test
    void eachConnectionWithoutSessionGetsItsOwnSession() {
        try (WsClient a = WsClient.open(region.wsUrl(0)); WsClient b = WsClient.open(region.wsUrl(0))) {
            a.send("{\"op\":\"connect\",\"token\":\"" + token("carol") + "\"}");
            b.send("{\"op\":\"connect\",\"token\":\"" + token("carol") + "\"}");
            assertFalse(awaitOp(a, "connected").get("session").asText()
                    .equals(awaitOp(b, "connected").get("session").asText()));
        }
    }

    @Test
    void badSignatureIsUnauthorizedThenClose4001() throws Exception {
        assertUnauthorized("{\"op\":\"connect\",\"token\":\"" + foreignToken() + "\"}");
    }

    @Test
    void expiredTokenIsUnauthorizedThenClose4001() throws Exception {
        assertUnauthorized("{\"op\":\"connect\",\"token\":\"" + expiredToken() + "\"}");
    }

    @Test
    void missingTokenIsUnauthorizedThenClose4001() throws Exception {
        assertUnauthorized("{\"op\":\"connect\"}");
        assertUnauthorized("{\"op\":\"connect\",\"token\":\"\"}");
        assertUnauthorized("{\"op\":\"connect\",\"token\":null}");
    }

    @Test
    void aTokenWithoutTheRequiredSubOrExpClaimIsUnauthorizedThenClose4001() throws Exception {
        assertUnauthorized("{\"op\":\"connect\",\"token\":\"" + tokenWithoutExp() + "\"}");
        assertUnauthorized("{\"op\":\"connect\",\"token\":\"" + tokenWithoutSub() + "\"}");
    }

    @Test
    void malformedTokensAreUnauthorizedThenClose4001() throws Exception {
        assertUnauthorized("{\"op\":\"connect\",\"token\":\"not-a-jwt\"}");
        assertUnauthorized("{\"op\":\"connect\",\"token\":42}");
        // A valid token with its signature cut off.
        String t = token("dave");
        assertUnauthorized("{\"op\":\"connect\",\"token\":\"" + t.substring(0, t.lastIndexOf('.') + 1) + "\"}");
    }

    @Test
    void aFirstFrameThatIsNotConnectIsUnauthorizedThenClose4001() throws Exception {
        assertUnauthorized("{\"op\":\"sub\",\"ch\":\"early\"}");
        assertUnauthorized("{\"op\":\"ping\"}");
        assertUnauthorized("{\"op\":\"pub\",\"ch\":\"early\",\"id\":\"x\",\"data\":1}");
    }

    @Test
    void noConnectWithinTheConnectTimeoutClosesWith4001() throws Exception {
        try (WsClient client = open()) {
            assertEquals(4001, closeCode(client), "received " + client.received());
            assertFalse(client.received().stream().anyMatch(f -> f.path("op").asText().equals("connected")));
        }
    }

    @Test
    void theDefaultConnectTimeoutIsTenSeconds() {
        assertEquals(10_000, EdgeSettings.defaults("r", "n", "127.0.0.1", 0).connectTimeoutMs());
    }

    private static void assertUnauthorized(String connectFrame) throws Exception {
        try (WsClient client = open()) {
            client.send(connectFrame);
            JsonNode error = awaitOp(client, "error");
            assertError(error, "unauthorized");
            assertEquals(4001, closeCode(client), "after " + connectFrame);
            assertFalse(client.received().stream().anyMatch(f -> f.path("op").asText().equals("connected")));
        }
    }
}
