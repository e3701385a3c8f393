package io.meshgate.edge.region;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshgate.edge.delivery.FeedSettings;
import io.meshgate.edge.testing.RawSubscribers;
import io.meshgate.edge.testing.TestRegion;
import io.meshgate.edge.testing.WsClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static io.meshgate.edge.region.RegionTests.JSON;
import static io.meshgate.edge.region.RegionTests.LONG;
import static io.meshgate.edge.region.RegionTests.isOp;
import static io.meshgate.edge.region.RegionTests.messages;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fan-out on one node: a message is encoded once and its frame shared by every subscriber and long-poll answer;
 * queued frames go out coalesced, in order, across history pages, live batches and catch-up; publishes and acks
 * keep flowing while a thousand subscribers are fed.
 */
class FanOutTest {
    private static final String ENCODED = "meshgate_delivery_frames_encoded_total";

    static TestRegion region;
    static String token;

    @BeforeAll
    static void start() {
        // Small pages and a small outbound queue, so a resume goes through several pages and live batches through
        // catch-up: the paths whose order coalesced writes must keep.
        region = TestRegion.nodes(1)
                .feeds(new FeedSettings(50, 10_000, 30_000, 5_000, 10_000))
                .edge(s -> s.withOutbound(128, 4L << 20))
                .start();
        token = RegionTests.token();
    }

    @AfterAll
    static void stop() {
        region.close();
    }

    private static double encoded() {
        return RegionTests.metric(region.httpUrl(0), ENCODED, Map.of());
    }

    @Test
    void aMessageIsEncodedOnceForEverySubscriberAndLongPoll() throws Exception {
        String ch = "fanout.shared";
        int subscribers = 20;
        int count = 30;
        List<WsClient> clients = new ArrayList<>();
        try (WsClient publisher = WsClient.connect(region.wsUrl(0), token)) {
            for (int i = 0; i < subscribers; i++) {
                WsClient c = WsClient.connect(region.wsUrl(0), token);
                clients.add(c);
                RegionTests.subscribe(c, RegionTests.sub(ch), ch);
            }
            double before = encoded();
            String epoch = null;
            for (int i = 1; i <= count; i++) {
                publisher.send(RegionTests.pub(ch, "s-" + i, RegionTests.data("m" + i)));
                JsonNode ack = publisher.await(f -> isOp(f, "ack") || isOp(f, "nack"), LONG);
                assertTrue(ack != null && isOp(ack, "ack"), "ack: " + ack);
                epoch = ack.get("epoch").asText();
            }
            for (WsClient c : clients) {
                await().atMost(LONG).until(() -> messages(c, ch).size() >= count);
                RegionTests.assertContiguous("subscriber", messages(c, ch), 1, count);
            }
            // A long-poll for the same messages is answered from the frames already encoded.
            String query = "ch=" + URLEncoder.encode(ch + "@" + epoch + ":0", StandardCharsets.UTF_8) + "&wait=0";
            HttpResponse<String> poll = RegionTests.get(region.httpUrl(0) + "/v1/poll?" + query, token, LONG);
            assertEquals(200, poll.statusCode(), poll.body());
            JsonNode answer = JSON.readTree(poll.body());
            assertEquals(count, answer.get("messages").size(), poll.body());
            for (int i = 0; i < count; i++) {
                JsonNode m = answer.get("messages").get(i);
                assertEquals(i + 1, m.get("seq").asLong());
                assertEquals("m" + (i + 1), m.get("data").get("text").asText());
                assertEquals("msg", m.get("op").asText());
            }
            assertEquals(count, encoded() - before, "frames encoded for " + count + " messages, "
                    + subscribers + " subscribers and one long-poll: one each, shared, not one per reader");
        } finally {
            clients.forEach(WsClient::close);
        }
    }

    @Test
    void coalescedWritesKeepOrderAcrossHistoryPagesLiveBatchesAndCatchUp() throws Exception {
        String ch = "fanout.order";
        int before = 300;
        int during = 300;
        double batchesBefore = RegionTests.metric(region.httpUrl(0), "meshgate_ws_write_batches_total", Map.of());
        double framesBefore = RegionTests.metric(region.httpUrl(0), "meshgate_ws_write_frames_total", Map.of());
        try (WsClient publisher = WsClient.connect(region.wsUrl(0), token);
             WsClient resumer = WsClient.connect(region.wsUrl(0), token)) {
            String epoch = publishAll(publisher, ch, 1, before);
            // Resume from the start (six pages of history) while more is published in bursts: history pages,
            // live batches and catch-up interleave on one connection, together with the resumer's own acks.
            RegionTests.subscribe(resumer, RegionTests.sub(ch, epoch, 0), ch);
            Map<String, Boolean> ownAcks = new HashMap<>();
            for (int i = before + 1; i <= before + during; i += 20) {
                for (int j = i; j < i + 20; j++) {
                    publisher.send(RegionTests.pub(ch, "o-" + j, RegionTests.data("m" + j)));
                }
                resumer.send(RegionTests.pub("fanout.own", "own-" + i, RegionTests.data("own")));
                ownAcks.put("own-" + i, true);
                // Each burst is acked before the next: a publisher that pipelines more than the outbound queue
                // holds (128 frames here) can be closed 4008 by its own acks, which is not what this test is about.
                int acked = i + 19;
                await().atMost(LONG).until(() -> publisher.received().stream().filter(f -> isOp(f, "ack")).count()
                        >= acked);
            }
            try {
                await().atMost(LONG).until(() -> messages(resumer, ch).size() >= before + during);
            } catch (org.awaitility.core.ConditionTimeoutException e) {
                List<JsonNode> all = resumer.received();
                throw new AssertionError("resumer got " + messages(resumer, ch).size() + " messages, closed "
                        + resumer.isClosed() + "; publisher got " + publisher.received().stream()
                        .filter(f -> !isOp(f, "ack")).toList() + " and " + publisher.received().stream()
                        .filter(f -> isOp(f, "ack")).count() + " acks; feed messages " + RegionTests.metric(
                        region.httpUrl(0), "meshgate_feed_messages_total", Map.of()) + "; publisher closed "
                        + publisher.isClosed() + " " + publisher.closeCode().getNow(null) + "; bad frames "
                        + RegionTests.metric(region.httpUrl(0), "meshgate_ws_bad_frames_total", Map.of())
                        + "; last frames "
                        + all.subList(Math.max(0, all.size() - 5), all.size()), e);
            }
            RegionTests.assertContiguous("resumer", messages(resumer, ch), 1, before + during);
            await().atMost(LONG).until(() -> resumer.received().stream().filter(f -> isOp(f, "ack")).count()
                    >= ownAcks.size());
        }
        double batches = RegionTests.metric(region.httpUrl(0), "meshgate_ws_write_batches_total", Map.of())
                - batchesBefore;
        double frames = RegionTests.metric(region.httpUrl(0), "meshgate_ws_write_frames_total", Map.of())
                - framesBefore;
        assertTrue(frames >= before + during, "frames written: " + frames);
        assertTrue(batches < frames, "every frame went in a write of its own: " + batches + " writes for "
                + frames + " frames");
    }

    /** Publishes {@code from..to} one at a time (each acked before the next); returns the epoch. */
    private static String publishAll(WsClient publisher, String ch, int from, int to) {
        String epoch = null;
        for (int i = from; i <= to; i++) {
            publisher.send(RegionTests.pub(ch, "p-" + i, RegionTests.data("m" + i)));
            JsonNode ack = publisher.await(f -> isOp(f, "ack") || isOp(f, "nack"), LONG);
            assertTrue(ack != null && isOp(ack, "ack"), "ack: " + ack);
            epoch = ack.get("epoch").asText();
        }
        return epoch;
    }

    @Test
    void publishesAndAcksFlowWhileAThousandSubscribersAreFed() throws Exception {
        String wide = "fanout.wide";
        String other = "fanout.other";
        int count = 200;
        try (RawSubscribers subscribers = RawSubscribers.open(region.wsUrl(0), token, wide, 1000,
                Duration.ofSeconds(60));
             WsClient publisher = WsClient.connect(region.wsUrl(0), token);
             WsClient bystander = WsClient.connect(region.wsUrl(0), token)) {
            long head = subscribers.minHead();
            // The wide channel's publishes go out pipelined (50 unacked at most: more acks than the outbound queue's
            // 128 frames could close the publisher itself), and while the node feeds 200 x 1,000 frames a publisher
            // on another channel gets every one of its publishes acked, one after the other.
            for (int i = 1; i <= count; i++) {
                publisher.send(RegionTests.pub(wide, "w-" + i, RegionTests.data("m" + i)));
                if (i % 50 == 0) {
                    int acked = i;
                    await().atMost(LONG).until(() -> publisher.received().stream().filter(f -> isOp(f, "ack"))
                            .count() >= acked);
                }
            }
            for (int i = 1; i <= 20; i++) {
                bystander.send(RegionTests.pub(other, "b-" + i, RegionTests.data("b" + i)));
                JsonNode ack = bystander.await(f -> isOp(f, "ack") || isOp(f, "nack"), LONG);
                assertTrue(ack != null && isOp(ack, "ack"), "bystander ack " + i + ": " + ack);
                assertEquals(i, ack.get("seq").asLong(), "bystander ack " + i);
            }
            await().atMost(LONG).until(() -> publisher.received().stream().filter(f -> isOp(f, "ack")).count()
                    >= count);
            assertTrue(publisher.received().stream().noneMatch(f -> isOp(f, "nack")), "a wide publish was nacked");
            await().atMost(LONG).until(() -> subscribers.countAtLeast(head + count) == 1000);
            assertNull(subscribers.firstViolation(), "order of a subscriber");
        }
    }
}
