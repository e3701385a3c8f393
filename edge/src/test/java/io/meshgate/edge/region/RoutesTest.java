package io.meshgate.edge.region;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshgate.edge.testing.TestRegion;
import io.meshgate.edge.testing.WsClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static io.meshgate.edge.region.RegionTests.LONG;
import static io.meshgate.edge.region.RegionTests.messages;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fan-out follows routes: a node receives a channel's messages only while it has subscribers of the channel. Seen
 * from outside through each node's {@code /metrics}: {@code meshgate_fanout_received_total} counts deliveries that
 * arrived in a node's inbox from another node, {@code meshgate_fanout_sent_total{to="node"}} those it sent.
 */
class RoutesTest {
    private static final String RECEIVED = "meshgate_fanout_received_total";
    private static final String SENT = "meshgate_fanout_sent_total";
    private static final int BATCH = 20;

    static TestRegion region;
    static String token;

    @BeforeAll
    static void start() {
        region = TestRegion.nodes(2).start();
        token = RegionTests.token();
    }

    @AfterAll
    static void stop() {
        region.close();
    }

    @Test
    void aNodeReceivesAChannelOnlyWhileItHasSubscribers() {
        String ch = "routes.only-where-subscribed";
        String a = region.httpUrl(0);
        String b = region.httpUrl(1);
        try (WsClient subA = WsClient.connect(region.wsUrl(0), token);
             WsClient pubA = WsClient.connect(region.wsUrl(0), token);
             WsClient pubB = WsClient.connect(region.wsUrl(1), token)) {
            RegionTests.subscribe(subA, RegionTests.sub(ch), ch);
            double receivedByB = metric(b, RECEIVED);
            double sentByA = metric(a, SENT);
            double receivedByA = metric(a, RECEIVED);

            // Only A has a subscriber: publishes at A stay on A, publishes at B go to A and nowhere else.
            int published = publish(pubA, ch, "a1-", 0);
            published = publish(pubB, ch, "b1-", published);
            int total1 = published;
            await().atMost(LONG).until(() -> messages(subA, ch).size() >= total1);
            RegionTests.assertContiguous("subscriber on A", messages(subA, ch), 1, total1);
            assertEquals(receivedByB, metric(b, RECEIVED), "B received fan-out without a subscriber");
            assertEquals(sentByA, metric(a, SENT), "A fanned out to another node though only A has subscribers");
            assertTrue(metric(a, RECEIVED) > receivedByA, "B's publishes reached A through A's inbox");

            // A subscriber joins on B: from then on B receives A's publishes.
            try (WsClient subB = WsClient.connect(region.wsUrl(1), token)) {
                JsonNode subscribed = RegionTests.subscribe(subB, RegionTests.sub(ch), ch);
                long head = subscribed.get("seq").asLong();
                assertEquals(total1, head, "subscribed reports the channel's head");
                double receivedByBWithSub = metric(b, RECEIVED);
                published = publish(pubA, ch, "a2-", published);
                int total2 = published;
                await().atMost(LONG).until(() -> messages(subA, ch).size() >= total2
                        && messages(subB, ch).size() >= total2 - head);
                RegionTests.assertContiguous("subscriber on B", messages(subB, ch), head + 1, total2);
                assertTrue(metric(b, RECEIVED) > receivedByBWithSub, "B received nothing with a subscriber");
                assertTrue(metric(a, SENT) > sentByA, "A never fanned out to B");

                // It leaves: once the route lingered out, B stops receiving again.
                subB.send("{\"op\":\"unsub\",\"ch\":\"" + ch + "\"}");
                assertNotNull(subB.awaitOp("unsubscribed"));
            }
            // A counts a fan-out to another node before it acks, so "A's sent count did not move across an acked
            // publish" means the publish went nowhere else.
            int[] n = {0};
            await().atMost(LONG).pollInterval(Duration.ofMillis(250)).until(() -> {
                double before = metric(a, SENT);
                publishOne(pubA, ch, "a3-" + n[0]++);
                return metric(a, SENT) == before;
            });
            double receivedByBAfterLeaving = metric(b, RECEIVED);
            published = publish(pubA, ch, "a4-", published + n[0]);
            int total3 = published;
            await().atMost(LONG).until(() -> messages(subA, ch).size() >= total3);
            RegionTests.assertContiguous("subscriber on A", messages(subA, ch), 1, total3);
            assertEquals(receivedByBAfterLeaving, metric(b, RECEIVED), "B received fan-out after its last "
                    + "subscriber left and the route lingered out");
        }
    }

    private static double metric(String httpUrl, String name) {
        return RegionTests.metric(httpUrl, name, Map.of());
    }

    /** Publishes {@link #BATCH} messages and waits for their acks; returns the new count. */
    private static int publish(WsClient publisher, String ch, String prefix, int published) {
        for (int i = 0; i < BATCH; i++) {
            publishOne(publisher, ch, prefix + i);
        }
        return published + BATCH;
    }

    private static void publishOne(WsClient publisher, String ch, String id) {
        RegionTests.publishAcked(publisher, ch, id);
    }
}
