package io.meshgate.edge.websocket;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshgate.edge.testing.Metrics;
import io.meshgate.edge.testing.TestRegion;
import io.meshgate.edge.testing.WsClient;
import io.meshgate.relay.history.HistoryLimits;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static io.meshgate.edge.testing.Proto.awaitOn;
import static io.meshgate.edge.testing.Proto.channel;
import static io.meshgate.edge.testing.Proto.fields;
import static io.meshgate.edge.testing.Proto.op;
import static io.meshgate.edge.testing.Proto.pub;
import static io.meshgate.edge.testing.Proto.sub;
import static io.meshgate.edge.testing.Proto.token;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * PROTOCOL.md, the close codes that end a connection from the server side on one node: 4008 (slow reader, then
 * resume), 4100 after {@code move} (drain), 4503 (shutdown). Each test runs its own node, since each ends it or
 * needs odd limits.
 */
class WsCloseCodesTest {

    @Test
    void aClientThatReadsTooSlowlyIsClosed4008AndResumesWithoutLoss() throws Exception {
        // History big enough to hold every message, so the resume after the close has nothing missing.
        try (TestRegion region = TestRegion.nodes(1).edge(s -> s.withOutbound(1024, 256 * 1024))
                .history(new HistoryLimits(1_000, 600_000, 128L * 1024 * 1024, 300_000, 100_000)).start()) {
            String all = token("slow");
            String ch = channel("slow");
            String payload = "\"" + "x".repeat(32 * 1024) + "\"";
            int count = 400; // ~13 MB: more than the socket buffers and the outbound queue together
            long lastSeen;
            try (WsClient slow = WsClient.connect(region.wsUrl(0), all); WsClient pub = WsClient.connect(
                    region.wsUrl(0), all)) {
                slow.send(sub(ch));
                awaitOn(slow, ch, "subscribed");
                slow.pauseReading();
                for (int i = 1; i <= count; i++) {
                    pub.send(pub(ch, "s-" + i, payload));
                }
                JsonNode lastAck = pub.await(f -> op(f).equals("ack") && f.get("id").asText().equals("s-" + count));
                assertNotNull(lastAck, "publisher not acked: " + pub.received().size() + " frames");
                // The node gives a reader that makes no room for delivery.slowConsumerMs up; only then read again.
                await().atMost(Duration.ofSeconds(60)).until(() -> Metrics.value(region.httpUrl(0),
                        "meshgate_ws_closed_total", Map.of("code", "4008")) >= 1);
                slow.resumeReading();
                assertEquals(4008, slow.closeCode().get(30, TimeUnit.SECONDS));
                List<JsonNode> got = slow.received().stream().filter(f -> op(f).equals("msg")).toList();
                assertTrue(got.size() < count, "the slow reader was closed before it got everything");
                for (int i = 0; i < got.size(); i++) {
                    assertEquals(i + 1, got.get(i).get("seq").asLong(), "what it got before the close is in order");
                }
                lastSeen = got.isEmpty() ? 0 : got.get(got.size() - 1).get("seq").asLong();
            }
            // "It should reconnect and resume": nothing is lost.
            try (WsClient again = WsClient.connect(region.wsUrl(0), all)) {
                again.send(sub(ch, "", lastSeen));
                assertTrue(awaitOn(again, ch, "subscribed").get("recovered").asBoolean());
                for (long seq = lastSeen + 1; seq <= count; seq++) {
                    assertEquals(seq, awaitOn(again, ch, "msg").get("seq").asLong());
                }
            }
        }
    }

    @Test
    void aDrainSendsMoveThenCloses4100() throws Exception {
        try (TestRegion region = TestRegion.nodes(1).start(); WsClient c = WsClient.connect(region.wsUrl(0),
                token("mover"))) {
            region.node(0).drain("test");
            JsonNode move = c.awaitOp("move");
            assertNotNull(move, "no move: " + c.received());
            assertTrue(fields(move).containsAll(Set.of("op", "reason", "region", "after_ms")), move.toString());
            assertTrue(Set.of("drain", "failover", "rebalance").contains(move.get("reason").asText()));
            assertEquals("drain", move.get("reason").asText());
            assertEquals("test-region", move.get("region").asText());
            assertTrue(move.get("after_ms").isIntegralNumber() && move.get("after_ms").asLong() >= 0);
            assertTrue(!move.has("url") || move.get("url").isTextual(), move.toString());
            assertEquals(4100, c.closeCode().get(20, TimeUnit.SECONDS));
            List<String> ops = c.received().stream().map(f -> op(f)).toList();
            assertEquals("move", ops.get(ops.size() - 1), "move is the last frame before the close");
        }
    }

    @Test
    void aNodeShuttingDownCloses4503() throws Exception {
        TestRegion region = TestRegion.nodes(1).start();
        try (WsClient c = WsClient.connect(region.wsUrl(0), token("bye"))) {
            region.close();
            assertEquals(4503, c.closeCode().get(20, TimeUnit.SECONDS), "received " + c.received());
            assertFalse(c.received().stream().anyMatch(f -> op(f).equals("error")));
        }
    }
}
