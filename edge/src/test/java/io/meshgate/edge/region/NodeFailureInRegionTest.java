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
import java.util.concurrent.TimeUnit;

import static io.meshgate.edge.region.RegionTests.LONG;
import static io.meshgate.edge.region.RegionTests.isOp;
import static io.meshgate.edge.region.RegionTests.messages;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A node of a two-node region dies hard (its Hazelcast member is terminated, then its edge stops) while publishers
 * on both nodes publish and subscribers on both nodes listen. The dead node's clients reconnect to the survivor:
 * the publisher re-sends what was not acknowledged with the same ids, the subscriber resumes from its last
 * position. No acknowledged message is lost, none repeated, none out of order, for either subscriber across the
 * reconnect; and the dead node's route is dropped, so the survivor stops fanning out to it.
 */
class NodeFailureInRegionTest {
    private static final int WINDOW = 8;
    private static final int BEFORE_KILL = 200;
    private static final int AFTER_KILL = 200;
    /** How far a publisher may get ahead of the acks it waits for: keeps a fast one from outrunning a slow one. */
    private static final int LEAD = 1000;

    static TestRegion region;
    static String token;

    @BeforeAll
    static void start() {
        // History holds the whole run: the resume must be served entirely from it (recovered, no gap).
        region = TestRegion.nodes(2)
                .edge(s -> s.withPublishesPerSecond(1_000_000))
                .history(new HistoryLimits(20_000, 600_000, 64L * 1024 * 1024, 300_000, 100_000))
                .start();
        token = RegionTests.token();
    }

    @AfterAll
    static void stop() {
        region.close();
    }

    @Test
    void clientsOfAKilledNodeResumeOnTheSurvivorWithNothingLostRepeatedOrReordered() throws Exception {
        String ch = "node.failure";
        String survivorHttp = region.httpUrl(0);
        List<WsClient> clients = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        ResilientPublisher pubA = new ResilientPublisher(List.of(region.wsUrl(0)), token, ch, "a-", WINDOW, 20_000,
                Duration.ofSeconds(90));
        ResilientPublisher pubB = new ResilientPublisher(List.of(region.wsUrl(1), region.wsUrl(0)), token, ch, "b-",
                WINDOW, 20_000, Duration.ofSeconds(90));
        try {
            WsClient subA = track(clients, WsClient.connect(region.wsUrl(0), token));
            WsClient subB = track(clients, WsClient.connect(region.wsUrl(1), token));
            RegionTests.subscribe(subA, RegionTests.sub(ch), ch);
            RegionTests.subscribe(subB, RegionTests.sub(ch), ch);
            for (ResilientPublisher publisher : List.of(pubA, pubB)) {
                publisher.allow(BEFORE_KILL + LEAD);
                Thread thread = new Thread(publisher, "publisher-" + publisher.prefix());
                thread.setDaemon(true);
                thread.start();
                threads.add(thread);
            }
            awaitAcks(pubA, BEFORE_KILL, pubB, BEFORE_KILL);
            assertTrue(messages(subB, ch).size() > 0, "the subscriber on B got nothing before the kill");

            // Both keep publishing through the kill, with publishes in flight.
            pubA.allow(pubA.acks().size() + LEAD);
            pubB.allow(pubB.acks().size() + LEAD);
            region.kill(1);

            // B's subscriber sees its connection end, and resumes on A from the last message it got.
            Integer code = subB.closeCode().get(30, TimeUnit.SECONDS);
            assertNotNull(code);
            List<JsonNode> beforeKill = messages(subB, ch);
            JsonNode last = beforeKill.get(beforeKill.size() - 1);
            WsClient subB2 = track(clients, WsClient.connect(region.wsUrl(0), token));
            JsonNode resumed = RegionTests.subscribe(subB2,
                    RegionTests.sub(ch, last.get("epoch").asText(), last.get("seq").asLong()), ch);
            assertTrue(resumed.get("recovered").asBoolean(), "resume within history must be recovered: " + resumed
                    + " after last seq " + last.get("seq").asLong());

            // Publishing goes on at the survivor, B's publisher included (it reconnected and re-sent).
            int ackedA = pubA.acks().size();
            int ackedB = pubB.acks().size();
            pubA.allow(ackedA + LEAD);
            pubB.allow(ackedB + LEAD);
            awaitAcks(pubA, ackedA + AFTER_KILL, pubB, ackedB + AFTER_KILL);
            assertTrue(pubB.reconnects() >= 1, "B's publisher never reconnected");
            pubA.stop();
            pubB.stop();
            await().atMost(LONG).until(() -> pubA.finished() && pubB.finished());
            assertNull(pubA.failure(), () -> "publisher on A: " + pubA.failure());
            assertNull(pubB.failure(), () -> "publisher from B: " + pubB.failure());

            Map<String, JsonNode> acks = new HashMap<>(pubA.acks());
            acks.putAll(pubB.acks());

            // The dead node's route is gone: a publish at A no longer fans out to any other node.
            try (WsClient probe = WsClient.connect(region.wsUrl(0), token)) {
                int[] n = {0};
                await().atMost(LONG).pollInterval(Duration.ofMillis(200)).until(() -> {
                    double before = sentToNodes(survivorHttp);
                    String id = "probe-" + n[0]++;
                    probe.send(RegionTests.pub(ch, id, RegionTests.data(id)));
                    JsonNode ack = probe.await(f -> isOp(f, "ack") || isOp(f, "nack"), LONG);
                    assertNotNull(ack, "no reply to probe " + id);
                    assertTrue(isOp(ack, "ack"), "probe refused: " + ack);
                    acks.put(id, ack);
                    return sentToNodes(survivorHttp) == before;
                });
            }

            // Every seq 1..max is accounted for by exactly one acknowledged id.
            long max = 0;
            Map<Long, String> idBySeq = new HashMap<>();
            for (JsonNode ack : acks.values()) {
                long seq = ack.get("seq").asLong();
                String clash = idBySeq.put(seq, ack.get("id").asText());
                if (clash != null) {
                    fail("seq " + seq + " acked for " + clash + " and " + ack.get("id"));
                }
                max = Math.max(max, seq);
            }
            assertEquals(acks.size(), max, "acked seqs are exactly 1.." + max);

            long total = max;
            await().atMost(LONG).until(() -> RegionTests.lastSeq(messages(subA, ch)) >= total
                    && RegionTests.lastSeq(messages(subB2, ch)) >= total);
            List<JsonNode> onA = messages(subA, ch);
            RegionTests.assertContiguous("subscriber on A", onA, 1, total);
            RegionTests.assertMatchesAcks("subscriber on A", onA, acks);

            List<JsonNode> fromB = new ArrayList<>(beforeKill);
            fromB.addAll(messages(subB2, ch));
            RegionTests.assertContiguous("subscriber from B, across its resume", fromB, 1, total);
            RegionTests.assertMatchesAcks("subscriber from B, across its resume", fromB, acks);
            assertNull(unexpected(subA), "subscriber on A got an unexpected frame");
            assertNull(unexpected(subB2), "resumed subscriber got an unexpected frame");

            System.out.printf("node failure: %d acked (%d from A, %d from B), B's publisher reconnected %d time(s),"
                            + " nacks A=%s B=%s, B's subscriber resumed after seq %d (close code %d),"
                            + " longest wait for an ack A=%d ms B=%d ms%n",
                    acks.size(), pubA.acks().size(), pubB.acks().size(), pubB.reconnects(), pubA.nacks(),
                    pubB.nacks(), last.get("seq").asLong(), code, pubA.longestStallMs(), pubB.longestStallMs());
        } finally {
            pubA.stop();
            pubB.stop();
            for (Thread thread : threads) {
                thread.join(TimeUnit.SECONDS.toMillis(30));
            }
            clients.forEach(WsClient::close);
        }
    }

    private static WsClient track(List<WsClient> clients, WsClient client) {
        clients.add(client);
        return client;
    }

    private static void awaitAcks(ResilientPublisher a, int atLeastA, ResilientPublisher b, int atLeastB) {
        await().atMost(LONG).until(() -> {
            for (ResilientPublisher p : List.of(a, b)) {
                if (p.failure() != null) {
                    throw new AssertionError("publisher " + p.prefix() + " failed", p.failure());
                }
                if (p.finished()) {
                    throw new AssertionError("publisher " + p.prefix() + " ran out of messages or time");
                }
            }
            return a.acks().size() >= atLeastA && b.acks().size() >= atLeastB;
        });
    }

    /** Fan-out batches this node sent to other nodes' inboxes. */
    private static double sentToNodes(String httpUrl) {
        return RegionTests.metric(httpUrl, "meshgate_fanout_sent_total", Map.of("to", "node"));
    }

    private static JsonNode unexpected(WsClient client) {
        for (JsonNode frame : client.received()) {
            String op = frame.path("op").asText();
            if (!op.equals("msg") && !op.equals("subscribed") && !op.equals("connected") && !op.equals("ping")) {
                return frame;
            }
        }
        return null;
    }
}
