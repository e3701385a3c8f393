package io.meshgate.edge.region;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshgate.edge.testing.TestRegion;
import io.meshgate.edge.testing.WsClient;
import io.meshgate.relay.history.HistoryLimits;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static io.meshgate.edge.region.RegionTests.LONG;
import static io.meshgate.edge.region.RegionTests.isOp;
import static io.meshgate.edge.region.RegionTests.messages;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Four publishers, two on each node, flood one channel at once without waiting for acks. One sequencer per channel
 * means every subscriber, on either node and on either transport, sees the same seqs 1..2000 in order, each id once,
 * each at the seq its publisher was acked; and each publisher's messages are sequenced in the order it sent them
 * (G6).
 */
class ConcurrentPublishTest {
    private static final int PUBLISHERS = 4;
    private static final int PER_PUBLISHER = 500;
    private static final int TOTAL = PUBLISHERS * PER_PUBLISHER;

    static TestRegion region;
    static String token;

    @BeforeAll
    static void start() {
        // The burst is well within the default 1000/s per connection, but the test is about ordering, not the
        // limiter, so it must not depend on how the limiter's periods fall. History holds the whole run, so a
        // subscriber that lags never meets a (legitimate, G5) gap.
        region = TestRegion.nodes(2)
                .edge(s -> s.withPublishesPerSecond(1_000_000))
                .history(new HistoryLimits(10_000, 600_000, 64L * 1024 * 1024, 300_000, 100_000))
                .start();
        token = RegionTests.token();
    }

    @AfterAll
    static void stop() {
        region.close();
    }

    @Test
    void fourPublishersOnTwoNodesGiveEverySubscriberOneContiguousOrder() throws Exception {
        String ch = "concurrent.publish";
        ExecutorService threads = Executors.newFixedThreadPool(PUBLISHERS + 1);
        List<WsClient> clients = new ArrayList<>();
        try {
            WsClient subA = track(clients, WsClient.connect(region.wsUrl(0), token));
            WsClient subB = track(clients, WsClient.connect(region.wsUrl(1), token));
            RegionTests.subscribe(subA, RegionTests.sub(ch), ch);
            RegionTests.subscribe(subB, RegionTests.sub(ch), ch);
            LongPollSubscriber poller = new LongPollSubscriber(List.of(region.httpUrl(1), region.httpUrl(0)), token,
                    ch, TOTAL, 5_000, Duration.ofSeconds(90)).startAtHead();
            Future<List<JsonNode>> polled = threads.submit(poller);

            List<WsClient> publishers = new ArrayList<>();
            for (int p = 0; p < PUBLISHERS; p++) {
                publishers.add(track(clients, WsClient.connect(region.wsUrl(p % 2), token)));
            }
            CountDownLatch go = new CountDownLatch(1);
            List<Future<List<JsonNode>>> acked = new ArrayList<>();
            for (int p = 0; p < PUBLISHERS; p++) {
                WsClient publisher = publishers.get(p);
                String prefix = "p" + p + "-";
                acked.add(threads.submit(() -> {
                    go.await();
                    for (int i = 0; i < PER_PUBLISHER; i++) {
                        publisher.send(RegionTests.pub(ch, prefix + i, RegionTests.data(prefix + i)));
                    }
                    return awaitReplies(publisher, PER_PUBLISHER);
                }));
            }
            go.countDown();

            // Acks: none refused, each publisher's in send order with increasing seqs, all of them exactly 1..2000.
            Map<String, JsonNode> acksById = new HashMap<>();
            boolean[] seqTaken = new boolean[TOTAL + 1];
            for (int p = 0; p < PUBLISHERS; p++) {
                List<JsonNode> replies = acked.get(p).get(2, TimeUnit.MINUTES);
                assertEquals(PER_PUBLISHER, replies.size(), "publisher " + p + " replies");
                Map<String, JsonNode> byId = new HashMap<>();
                for (JsonNode reply : replies) {
                    assertTrue(isOp(reply, "ack"), "publisher " + p + " was refused: " + reply);
                    assertNull(byId.put(reply.get("id").asText(), reply), "two replies for " + reply.get("id"));
                }
                long previous = 0;
                for (int i = 0; i < PER_PUBLISHER; i++) {
                    JsonNode reply = byId.get("p" + p + "-" + i);
                    assertTrue(reply != null, "publisher " + p + " got no ack for id " + i);
                    long seq = reply.get("seq").asLong();
                    assertTrue(seq > previous, "G6: publisher " + p + " id " + i + " got seq " + seq + " after "
                            + previous);
                    assertTrue(seq >= 1 && seq <= TOTAL, "seq out of range: " + reply);
                    assertTrue(!seqTaken[(int) seq], "seq " + seq + " acked twice");
                    seqTaken[(int) seq] = true;
                    previous = seq;
                    acksById.put(reply.get("id").asText(), reply);
                }
            }
            assertEquals(TOTAL, acksById.size());

            await().atMost(LONG).until(() -> messages(subA, ch).size() >= TOTAL
                    && messages(subB, ch).size() >= TOTAL);
            List<JsonNode> longPolled = polled.get(2, TimeUnit.MINUTES);
            check("WebSocket subscriber on A", messages(subA, ch), acksById);
            check("WebSocket subscriber on B", messages(subB, ch), acksById);
            check("long-poll subscriber", longPolled, acksById);
            assertNull(firstNonMessage(subA), "subscriber on A got an unexpected frame");
            assertNull(firstNonMessage(subB), "subscriber on B got an unexpected frame");
        } finally {
            threads.shutdownNow();
            clients.forEach(WsClient::close);
        }
    }

    private static WsClient track(List<WsClient> clients, WsClient client) {
        clients.add(client);
        return client;
    }

    /** The first {@code count} ack or nack frames, in arrival order, within a bounded time. */
    private static List<JsonNode> awaitReplies(WsClient publisher, int count) {
        List<JsonNode> replies = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (replies.size() < count && System.nanoTime() < deadline) {
            JsonNode reply = publisher.await(f -> isOp(f, "ack") || isOp(f, "nack"), Duration.ofSeconds(30));
            if (reply == null) {
                fail("publisher stalled after " + replies.size() + " replies");
            }
            replies.add(reply);
        }
        return replies;
    }

    private static void check(String who, List<JsonNode> messages, Map<String, JsonNode> acksById) {
        RegionTests.assertContiguous(who, messages, 1, TOTAL);
        RegionTests.assertMatchesAcks(who, messages, acksById);
    }

    /** A frame other than subscribed, msg, ping or connected: gaps and errors have no place here. */
    private static JsonNode firstNonMessage(WsClient client) {
        for (JsonNode frame : client.received()) {
            String op = frame.path("op").asText();
            if (!op.equals("msg") && !op.equals("subscribed") && !op.equals("connected") && !op.equals("ping")) {
                return frame;
            }
        }
        return null;
    }
}
