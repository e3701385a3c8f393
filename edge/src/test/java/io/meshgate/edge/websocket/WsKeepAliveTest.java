package io.meshgate.edge.websocket;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshgate.edge.testing.TestRegion;
import io.meshgate.edge.testing.WsClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static io.meshgate.edge.testing.Proto.assertAlive;
import static io.meshgate.edge.testing.Proto.op;
import static io.meshgate.edge.testing.Proto.token;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * PROTOCOL.md, WebSocket step 5 with a short interval: the server pings every {@code ping_ms} (as announced in
 * {@code connected}), a client that answers stays, a client that answers nothing for 2 x {@code ping_ms} is dropped.
 */
class WsKeepAliveTest {
    /** Long enough that a pong delayed by a loaded 2-core machine still lands inside 2 x ping_ms. */
    private static final long PING_MS = 1000;
    static TestRegion region;

    @BeforeAll
    static void start() {
        region = TestRegion.nodes(1).edge(s -> s.withPingMs(PING_MS)).start();
    }

    @AfterAll
    static void stop() {
        region.close();
    }

    @Test
    void connectedAnnouncesThePingInterval() {
        try (WsClient c = WsClient.openSilent(region.wsUrl(0))) {
            c.send("{\"op\":\"connect\",\"token\":\"" + token("k1") + "\"}");
            JsonNode connected = c.awaitOp("connected");
            assertNotNull(connected);
            assertEquals(PING_MS, connected.get("ping_ms").asLong());
        }
    }

    @Test
    void theServerPingsRepeatedlyAndAClientThatAnswersStaysConnected() {
        try (WsClient c = WsClient.connectSilent(region.wsUrl(0), token("k2"))) {
            // Six rounds span well over 2 x ping_ms, so a server that ignored pongs would have dropped us.
            for (int round = 0; round < 6; round++) {
                JsonNode ping = c.await(f -> op(f).equals("ping"), Duration.ofSeconds(20));
                assertNotNull(ping, "no server ping in round " + round + "; received " + c.received());
                assertEquals("{\"op\":\"ping\"}", ping.toString());
                c.send("{\"op\":\"pong\"}");
            }
            assertFalse(c.isClosed(), "dropped although it answered every ping");
            assertAlive(c);
        }
    }

    @Test
    void aSilentClientIsDropped() throws Exception {
        try (WsClient c = WsClient.connectSilent(region.wsUrl(0), token("k3"))) {
            int code = c.closeCode().get(20, TimeUnit.SECONDS);
            assertNotEquals(-1, code, "closed without a close frame");
            assertTrue(c.received().stream().anyMatch(f -> op(f).equals("ping")),
                    "was pinged before it was dropped: " + c.received());
        }
    }

    @Test
    void anyFrameCountsAsAnAnswer() {
        try (WsClient c = WsClient.connectSilent(region.wsUrl(0), token("k4"))) {
            // Answering every server ping with a client ping (instead of pong) also keeps the connection.
            for (int round = 0; round < 6; round++) {
                assertNotNull(c.await(f -> op(f).equals("ping"), Duration.ofSeconds(20)));
                c.send("{\"op\":\"ping\"}");
                assertNotNull(c.await(f -> op(f).equals("pong"), Duration.ofSeconds(20)));
            }
            assertFalse(c.isClosed());
        }
    }
}
