package io.meshgate.edge.region;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshgate.edge.protocol.CloseCode;
import io.meshgate.edge.testing.TestRegion;
import io.meshgate.edge.testing.WsClient;
import io.meshgate.relay.history.HistoryLimits;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static io.meshgate.edge.region.RegionTests.JSON;
import static io.meshgate.edge.region.RegionTests.LONG;
import static io.meshgate.edge.region.RegionTests.isOp;
import static io.meshgate.edge.region.RegionTests.messages;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A subscriber that stops reading is closed with 4008 once its bounded outbound queue overflows; the node drops
 * what was queued for it instead of holding it, and the other subscribers of the channel, on its node and on the
 * other one, keep receiving everything in order. The closed subscriber then resumes from its last position.
 */
class SlowConsumerTest {
    private static final int OUTBOUND_FRAMES = 64;
    private static final long OUTBOUND_BYTES = 256 * 1024;
    /** Messages per burst: a burst (about 128 KiB) fits a healthy subscriber's queue with room to spare. */
    private static final int BURST = 16;
    private static final int DATA_CHARS = 8 * 1024;
    /** Bounds the flood: about 50 MB in all, far beyond any loopback socket buffer. */
    private static final int MAX_BURSTS = 400;

    static TestRegion region;
    static String token;

    @BeforeAll
    static void start() {
        // History holds the whole run, so the slow subscriber's resume is served without a gap.
        region = TestRegion.nodes(2)
                .edge(s -> s.withOutbound(OUTBOUND_FRAMES, OUTBOUND_BYTES))
                .history(new HistoryLimits(20_000, 600_000, 256L * 1024 * 1024, 300_000, 100_000))
                .start();
        token = RegionTests.token();
    }

    @AfterAll
    static void stop() {
        region.close();
    }

    @Test
    void aSubscriberThatStopsReadingIsClosed4008AndTheOthersGetEverything() throws Exception {
        String ch = "slow.consumer";
        String slowNode = region.httpUrl(0);
        Map<String, String> closed4008 = Map.of("code", Integer.toString(CloseCode.SLOW_CONSUMER));
        String pad = "x".repeat(DATA_CHARS);
        try (WsClient slow = WsClient.connect(region.wsUrl(0), token);
             WsClient healthySameNode = WsClient.connect(region.wsUrl(0), token);
             WsClient healthyOtherNode = WsClient.connect(region.wsUrl(1), token);
             WsClient publisher = WsClient.connect(region.wsUrl(1), token)) {
            RegionTests.subscribe(slow, RegionTests.sub(ch), ch);
            RegionTests.subscribe(healthySameNode, RegionTests.sub(ch), ch);
            RegionTests.subscribe(healthyOtherNode, RegionTests.sub(ch), ch);
            double closedBefore = RegionTests.metric(slowNode, "meshgate_ws_closed_total", closed4008);
            slow.pauseReading();

            // Bursts until the node decides the slow subscriber is too slow; the healthy ones must have each burst
            // before the next goes, so only the paused one can fall behind.
            int published = 0;
            int bursts = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            boolean decided = false;
            while (!decided && bursts < MAX_BURSTS && System.nanoTime() < deadline) {
                published = burst(publisher, ch, published, pad);
                bursts++;
                awaitHealthy(ch, published, healthySameNode, healthyOtherNode);
                decided = RegionTests.metric(slowNode, "meshgate_ws_closed_total", closed4008) > closedBefore;
            }
            assertTrue(decided, "no 4008 after " + bursts + " bursts (" + published + " messages of "
                    + DATA_CHARS + " chars)");
            assertFalse(healthySameNode.isClosed(), "the healthy subscriber on the slow one's node was closed");
            assertFalse(healthyOtherNode.isClosed(), "the healthy subscriber on the other node was closed");

            // Life goes on for the others after the slow one is cut off.
            for (int i = 0; i < 3; i++) {
                published = burst(publisher, ch, published, pad);
                awaitHealthy(ch, published, healthySameNode, healthyOtherNode);
            }

            // The close frame waits behind the write the paused client never took; reading again delivers it.
            slow.resumeReading();
            Integer code = slow.closeCode().get(60, TimeUnit.SECONDS);
            assertEquals(CloseCode.SLOW_CONSUMER, code, "close code of the slow subscriber");
            // And the node let go of the socket: only the healthy subscriber is left on it.
            await().atMost(LONG).until(() -> RegionTests.metric(slowNode, "meshgate_ws_sockets", Map.of()) == 1);

            RegionTests.assertContiguous("healthy subscriber on the same node", messages(healthySameNode, ch), 1,
                    published);
            RegionTests.assertContiguous("healthy subscriber on the other node", messages(healthyOtherNode, ch), 1,
                    published);
            // What the slow one got is an in-order prefix: what was queued for it was dropped, not kept on the
            // heap, and nothing after a dropped message was sent to it.
            List<JsonNode> slowGot = messages(slow, ch);
            long slowLast = RegionTests.lastSeq(slowGot);
            RegionTests.assertContiguous("slow subscriber", slowGot, 1, slowLast);
            assertTrue(slowLast < published, "the slow subscriber got all " + published
                    + " messages: nothing was dropped, so the node must have buffered them");
            assertTrue(published - slowLast >= 2, "dropped at least the overflowing message and what followed: "
                    + slowLast + " of " + published);

            System.out.printf("slow consumer: 4008 after %d bursts; it got %d of %d messages before the close%n",
                    bursts, slowLast, published);

            // It does what 4008 tells it to: reconnect and resume from its last position, losing nothing.
            String epoch = slowGot.isEmpty() ? "" : slowGot.get(slowGot.size() - 1).get("epoch").asText();
            try (WsClient resumed = WsClient.connect(region.wsUrl(0), token)) {
                JsonNode subscribed = RegionTests.subscribe(resumed, RegionTests.sub(ch, epoch, slowLast), ch);
                assertTrue(subscribed.get("recovered").asBoolean(), "resume within history: " + subscribed);
                int total = published;
                await().atMost(LONG).until(() -> {
                    if (resumed.isClosed()) {
                        throw new AssertionError("the resumed subscriber was closed " + resumed.closeCode().getNow(null)
                                + " after " + messages(resumed, ch).size() + " of " + (total - slowLast) + " messages");
                    }
                    return messages(resumed, ch).size() >= total - slowLast;
                });
                RegionTests.assertContiguous("resumed slow subscriber", messages(resumed, ch), slowLast + 1, total);
            }
        }
    }

    /** Publishes one burst and waits for its acks; returns the new number of published messages. */
    private static int burst(WsClient publisher, String ch, int published, String pad) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < BURST; i++) {
            String id = "m" + (published + i + 1);
            ids.add(id);
            publisher.send(RegionTests.pub(ch, id, JSON.createObjectNode().put("seq", published + i + 1)
                    .put("pad", pad)));
        }
        Set<String> acked = new HashSet<>();
        while (acked.size() < BURST) {
            JsonNode reply = publisher.await(f -> isOp(f, "ack") || isOp(f, "nack"), LONG);
            assertNotNull(reply, "no reply for all of " + ids + "; acked " + acked);
            assertTrue(isOp(reply, "ack"), "publish refused: " + reply);
            assertTrue(ids.contains(reply.get("id").asText()) && acked.add(reply.get("id").asText()),
                    "unexpected ack " + reply);
        }
        return published + BURST;
    }

    private static void awaitHealthy(String ch, int published, WsClient... healthy) {
        await().atMost(LONG).until(() -> {
            for (WsClient client : healthy) {
                if (client.isClosed()) {
                    throw new AssertionError("a healthy subscriber was closed: " + client.closeCode().getNow(null));
                }
                if (RegionTests.lastSeq(messages(client, ch)) < published) {
                    return false;
                }
            }
            return true;
        });
    }
}
