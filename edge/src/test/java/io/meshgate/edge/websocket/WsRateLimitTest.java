package io.meshgate.edge.websocket;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshgate.edge.testing.Http;
import io.meshgate.edge.testing.TestRegion;
import io.meshgate.edge.testing.WsClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.meshgate.edge.testing.Proto.assertAck;
import static io.meshgate.edge.testing.Proto.assertAlive;
import static io.meshgate.edge.testing.Proto.assertNack;
import static io.meshgate.edge.testing.Proto.awaitReplies;
import static io.meshgate.edge.testing.Proto.channel;
import static io.meshgate.edge.testing.Proto.op;
import static io.meshgate.edge.testing.Proto.pub;
import static io.meshgate.edge.testing.Proto.quote;
import static io.meshgate.edge.testing.Proto.token;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * PROTOCOL.md: {@code nack rate_limited} (WebSocket) / 429 (HTTP), "a refused publish uses up no seq", and close 4029
 * when the limit is exceeded repeatedly. The rate is 2 publishes a second here, and the sixth rate-limited publish
 * within 10 s closes.
 */
class WsRateLimitTest {
    private static final int PER_SECOND = 2;
    private static final int CLOSE_AFTER = 6;
    static TestRegion region;

    @BeforeAll
    static void start() {
        region = TestRegion.nodes(1).edge(s -> s.withPublishRate(PER_SECOND, CLOSE_AFTER)).start();
    }

    @AfterAll
    static void stop() {
        region.close();
    }

    @Test
    void publishesOverTheRateAreNackedRateLimitedAndUseNoSeq() {
        String ch = channel("rl");
        try (WsClient c = WsClient.connect(region.wsUrl(0), token("fast"))) {
            // A burst spans at most two rate periods, so at most 2 x PER_SECOND of these 5 get through.
            int burst = 5;
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < burst; i++) {
                c.send(pub(ch, "r-" + i, Integer.toString(i)));
                ids.add("r-" + i);
            }
            Map<String, JsonNode> replies = awaitReplies(c, ids);
            long expectedSeq = 1;
            int nacked = 0;
            for (int i = 0; i < burst; i++) {
                JsonNode reply = replies.get("r-" + i);
                if (op(reply).equals("ack")) {
                    assertEquals(expectedSeq++, assertAck(reply, "r-" + i, ch), "acked publishes get consecutive seqs");
                } else {
                    assertNack(reply, "r-" + i, ch, "rate_limited");
                    nacked++;
                }
            }
            assertTrue(nacked >= burst - 2 * PER_SECOND, "nacked " + nacked + " of " + burst);
            assertTrue(nacked < CLOSE_AFTER);
            assertAlive(c);
        }
    }

    @Test
    void oneClientCannotMultiplyItsRateByOpeningConnections() {
        // Generous per connection, 2/s per client: six publishes over two connections of one client, sent in well
        // under a second, span at most two of its rate periods, so at most four pass.
        try (TestRegion node = TestRegion.nodes(1).edge(s -> s.withPublishesPerSecond(100)
                .with(b -> b.clientPublishesPerSecond = PER_SECOND)).start()) {
            String ch = channel("rl-multi");
            String sameClient = token("multi");
            try (WsClient a = WsClient.connect(node.wsUrl(0), sameClient);
                 WsClient b = WsClient.connect(node.wsUrl(0), sameClient)) {
                for (int i = 0; i < 3; i++) {
                    a.send(pub(ch, "a-" + i, "0"));
                    b.send(pub(ch, "b-" + i, "0"));
                }
                Map<String, JsonNode> replies = new java.util.HashMap<>(awaitReplies(a, List.of("a-0", "a-1", "a-2")));
                replies.putAll(awaitReplies(b, List.of("b-0", "b-1", "b-2")));
                List<JsonNode> nacks = replies.values().stream().filter(r -> op(r).equals("nack")).toList();
                assertTrue(nacks.size() >= 2, "one client over its rate on two connections: " + replies);
                nacks.forEach(n -> {
                    assertEquals("rate_limited", n.get("code").asText());
                    assertTrue(n.get("reason").asText().contains("client multi"), n.toString());
                });
            }
        }
    }

    @Test
    void exceedingTheRateRepeatedlyCloses4029() throws Exception {
        String ch = channel("rl-close");
        try (WsClient c = WsClient.connect(region.wsUrl(0), token("flooder"))) {
            for (int i = 0; i < 20 && !c.isClosed(); i++) {
                try {
                    c.send(pub(ch, "f-" + i, "1"));
                } catch (RuntimeException closedMeanwhile) {
                    break;
                }
            }
            assertEquals(4029, c.closeCode().get(20, TimeUnit.SECONDS), "received " + c.received());
            long nacks = c.received().stream().filter(f -> op(f).equals("nack")).count();
            assertTrue(nacks >= CLOSE_AFTER - 1, "rate_limited nacks came before the close: " + c.received());
            c.received().stream().filter(f -> op(f).equals("nack"))
                    .forEach(n -> assertNack(n, null, ch, "rate_limited"));
        }
    }

    @Test
    void httpPublishesOverTheRateGet429WithANack() {
        String ch = channel("rl-http");
        Http http = new Http(region.httpUrl(0));
        String t = token("http-fast");
        List<CompletableFuture<Http.Reply>> replies = new ArrayList<>();
        int burst = 10;
        for (int i = 0; i < burst; i++) {
            String body = "{\"ch\":" + quote(ch) + ",\"id\":\"h-" + i + "\",\"data\":" + i + "}";
            replies.add(CompletableFuture.supplyAsync(
                    () -> http.post("/v1/publish", t, HttpRequest.BodyPublishers.ofString(body))));
        }
        int limited = 0;
        List<Long> seqs = new ArrayList<>();
        for (int i = 0; i < burst; i++) {
            Http.Reply reply = replies.get(i).join();
            if (reply.status() == 200) {
                seqs.add(assertAck(reply.json(), "h-" + i, ch));
            } else {
                assertEquals(429, reply.status(), reply.toString());
                assertNack(reply.json(), "h-" + i, ch, "rate_limited");
                long retryAfterS = Long.parseLong(reply.header("retry-after"));
                assertEquals(Math.max(1, (reply.json().path("retry_ms").asLong() + 999) / 1000), retryAfterS,
                        "Retry-After is retry_ms in whole seconds, rounded up: " + reply);
                limited++;
            }
        }
        assertTrue(limited > 0, "no publish was rate limited");
        // Refused publishes used no seq: the accepted ones hold exactly 1..n.
        assertEquals(seqs.size(), seqs.stream().distinct().count());
        assertEquals(seqs.size(), seqs.stream().mapToLong(Long::longValue).max().orElse(0));
    }
}
