package io.meshgate.edge.region;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshgate.edge.testing.TestRegion;
import io.meshgate.edge.testing.WsClient;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static io.meshgate.edge.region.RegionTests.JSON;
import static io.meshgate.edge.region.RegionTests.LONG;
import static io.meshgate.edge.region.RegionTests.isOp;
import static io.meshgate.edge.region.RegionTests.messages;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * One position space across the nodes of a region: a message published at one node reaches subscribers on every
 * node with the same epoch, seq, id, data and ts, equal to what its publisher was acked, on both transports.
 */
class TwoNodeDeliveryTest {
    static TestRegion region;
    static String token;

    @BeforeAll
    static void start() {
        region = TestRegion.nodes(2).edge(s -> s.withPublishesPerSecond(1_000_000)).start();
        token = RegionTests.token();
    }

    @AfterAll
    static void stop() {
        region.close();
    }

    @Test
    void subscribersOnBothNodesSeeIdenticalMessagesMatchingTheAcks() throws Exception {
        String ch = "two-node.delivery";
        List<JsonNode> sent = List.of(JSON.readTree("{\"text\":\"hi\",\"n\":1}"), JSON.readTree("\"a string\""),
                JSON.readTree("42"), JSON.readTree("[1,\"two\",{\"three\":3.5}]"), JSON.readTree("null"),
                JSON.readTree("{\"nested\":{\"deep\":[true,false],\"unicode\":\"\\u00e9\\u4e2d\\ud83d\\ude00\"}}"));
        try (WsClient subA = WsClient.connect(region.wsUrl(0), token);
             WsClient subB = WsClient.connect(region.wsUrl(1), token);
             WsClient pubA = WsClient.connect(region.wsUrl(0), token);
             WsClient pubB = WsClient.connect(region.wsUrl(1), token)) {
            JsonNode subscribedA = RegionTests.subscribe(subA, RegionTests.sub(ch), ch);
            JsonNode subscribedB = RegionTests.subscribe(subB, RegionTests.sub(ch), ch);
            assertEquals(0, subscribedA.get("seq").asLong());
            assertEquals(0, subscribedB.get("seq").asLong());

            // Node A's publishes first (the case under test), then node B's, so both directions are covered.
            List<JsonNode> acks = new ArrayList<>();
            List<JsonNode> published = new ArrayList<>();
            for (WsClient publisher : List.of(pubA, pubB)) {
                for (int i = 0; i < sent.size(); i++) {
                    String id = (publisher == pubA ? "a-" : "b-") + i;
                    publisher.send(RegionTests.pub(ch, id, sent.get(i)));
                    JsonNode ack = publisher.await(f -> (isOp(f, "ack") || isOp(f, "nack"))
                            && id.equals(f.path("id").asText()), LONG);
                    assertNotNull(ack, "no ack for " + id + ": " + publisher.received());
                    assertTrue(isOp(ack, "ack"), "publish refused: " + ack);
                    acks.add(ack);
                    published.add(sent.get(i));
                }
            }
            int total = acks.size();
            await().atMost(LONG).until(() -> messages(subA, ch).size() >= total && messages(subB, ch).size() >= total);
            List<JsonNode> onA = messages(subA, ch);
            List<JsonNode> onB = messages(subB, ch);
            RegionTests.assertContiguous("subscriber on A", onA, 1, total);
            RegionTests.assertContiguous("subscriber on B", onB, 1, total);

            String epoch = acks.get(0).get("epoch").asText();
            assertEquals(epoch, subscribedA.get("epoch").asText(), "epoch in subscribed on A");
            assertEquals(epoch, subscribedB.get("epoch").asText(), "epoch in subscribed on B");
            for (int i = 0; i < total; i++) {
                JsonNode ack = acks.get(i);
                JsonNode a = onA.get(i);
                JsonNode b = onB.get(i);
                assertEquals(a, b, "the same message, field for field, on both nodes");
                assertEquals(ack.get("id").asText(), a.get("id").asText());
                assertEquals(ack.get("seq").asLong(), a.get("seq").asLong(), "seq of " + ack.get("id"));
                assertEquals(ack.get("epoch").asText(), a.get("epoch").asText(), "epoch of " + ack.get("id"));
                assertEquals(ch, a.get("ch").asText());
                assertEquals(published.get(i), a.get("data"), "data of " + ack.get("id"));
                assertTrue(a.get("ts").canConvertToLong() && a.get("ts").asLong() > 0, "ts of " + a);
            }

            // Long-poll on B, from the start: the same objects again.
            for (int node = 0; node < 2; node++) {
                HttpResponse<String> poll = RegionTests.get(region.httpUrl(node) + "/v1/poll?ch=" + ch + "@" + epoch
                        + ":0&wait=0", token, Duration.ofSeconds(30));
                assertEquals(200, poll.statusCode(), poll.body());
                JsonNode body = JSON.readTree(poll.body());
                JsonNode polled = body.get("messages");
                assertEquals(total, polled.size(), "long-poll on node " + node + ": " + poll.body());
                for (int i = 0; i < total; i++) {
                    assertEquals(onA.get(i), polled.get(i), "long-poll message " + i + " on node " + node);
                }
                assertEquals(epoch, body.get("heads").get(ch).get("epoch").asText());
                assertEquals(total, body.get("heads").get(ch).get("seq").asLong());
            }
        }
    }

    /**
     * Subscribing on B while both nodes publish to the channel's first messages: {@code subscribed} still comes
     * before any message of the channel, and the subscriber gets each seq once, in order, from its resume position
     * (or from the head it was told, for a live subscription). Many fresh channels, so the subscribe and the first
     * deliveries really do cross.
     */
    @Test
    void subscribingWhileBothNodesPublishGivesSubscribedFirstAndEachSeqOnce() {
        int channels = 60;
        int perPublisherBefore = 3;
        int perPublisherAfter = 7;
        int perChannel = 2 * (perPublisherBefore + perPublisherAfter);
        try (WsClient sub = WsClient.connect(region.wsUrl(1), token);
             WsClient pubA = WsClient.connect(region.wsUrl(0), token);
             WsClient pubB = WsClient.connect(region.wsUrl(1), token)) {
            for (int c = 0; c < channels; c++) {
                String ch = "two-node.join." + c;
                for (int i = 0; i < perPublisherBefore; i++) {
                    pubA.send(RegionTests.pub(ch, "a" + i, RegionTests.data("a" + i)));
                    pubB.send(RegionTests.pub(ch, "b" + i, RegionTests.data("b" + i)));
                }
                // Even channels resume from the very start, odd ones subscribe live.
                sub.send(c % 2 == 0 ? RegionTests.sub(ch, "", 0) : RegionTests.sub(ch));
                for (int i = perPublisherBefore; i < perPublisherBefore + perPublisherAfter; i++) {
                    pubA.send(RegionTests.pub(ch, "a" + i, RegionTests.data("a" + i)));
                    pubB.send(RegionTests.pub(ch, "b" + i, RegionTests.data("b" + i)));
                }
            }
            int expectedAcks = channels * perChannel / 2;
            for (WsClient publisher : List.of(pubA, pubB)) {
                await().atMost(LONG).until(() -> publisher.received().stream()
                        .filter(f -> isOp(f, "ack") || isOp(f, "nack")).count() >= expectedAcks);
                assertTrue(publisher.received().stream().noneMatch(f -> isOp(f, "nack")),
                        () -> "refused publishes: " + publisher.received());
            }
            try {
                await().atMost(LONG).until(() -> {
                    for (int c = 0; c < channels; c++) {
                        if (reached(sub, "two-node.join." + c) < perChannel) {
                            return false;
                        }
                    }
                    return true;
                });
            } catch (ConditionTimeoutException e) {
                StringBuilder stuck = new StringBuilder();
                for (int c = 0; c < channels; c++) {
                    String ch = "two-node.join." + c;
                    if (reached(sub, ch) < perChannel) {
                        stuck.append('\n').append(ch).append(": ").append(sub.received().stream()
                                .filter(f -> ch.equals(f.path("ch").asText()))
                                .map(f -> isOp(f, "msg") ? f.get("seq").asText() : f.toString()).toList());
                    }
                }
                fail("channels that never reached seq " + perChannel + ":" + stuck);
            }
            List<JsonNode> frames = sub.received();
            for (int c = 0; c < channels; c++) {
                String ch = "two-node.join." + c;
                List<JsonNode> ofChannel = frames.stream().filter(f -> ch.equals(f.path("ch").asText())).toList();
                JsonNode first = ofChannel.get(0);
                assertTrue(isOp(first, "subscribed"), ch + ": first frame is " + first + ", not subscribed");
                long from = c % 2 == 0 ? 0 : first.get("seq").asLong();
                if (c % 2 == 0) {
                    assertTrue(first.get("recovered").asBoolean(), ch + ": " + first);
                }
                RegionTests.assertContiguous(ch, ofChannel.subList(1, ofChannel.size()), from + 1, perChannel);
            }
        }
    }

    /** The last seq a subscriber has of a channel: its last message, or the head it subscribed at if later. */
    private static long reached(WsClient client, String ch) {
        long head = client.received().stream().filter(f -> isOp(f, "subscribed") && ch.equals(f.path("ch").asText()))
                .mapToLong(f -> f.get("seq").asLong()).max().orElse(0);
        return Math.max(head, RegionTests.lastSeq(messages(client, ch)));
    }
}
