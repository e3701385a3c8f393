package io.meshgate.chaos;

import io.meshgate.chaos.client.RecordingSubscriber;
import io.meshgate.client.Message;
import io.meshgate.client.MeshgateClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 12, G2, as users live through it: three one-node regions, each its own {@code gateway.jar} process. A
 * subscriber in ap-south reads a channel homed in eu-west; every frame eu-west sends to ap-south is dropped (the
 * node's {@code /admin/faults}, {@code drop=1}) while the channel's last message is published and acked, then the
 * drop is cleared and nothing more is published. The link stays up (a long {@code mesh.downAfterMissed}), so no
 * link-up catch-up can bring the message: only the home's head notice shows ap-south what it lacks. The subscriber
 * must get every acked message once, in order, with no {@code gap}. The in-JVM twin is the regions module's
 * {@code LostLastDeliveryTest}.
 */
class LostLastDeliveryProcessTest {
    @TempDir
    Path dir;

    @Test
    void aSubscriberGetsTheLastAckedMessageWhoseDeliveryToItsRegionWasLost() throws Exception {
        String channel = ChaosMesh.channelHomedIn("eu-west", "chaos:quiet-tail");
        try (ChaosMesh mesh = ChaosMesh.start("lost-last-delivery", dir, 1, Set.of(), null,
                Map.of("admin.faults", true, "mesh.downAfterMissed", 40));
             RecordingSubscriber sub = new RecordingSubscriber(mesh.client("sub-ap", "ap-south", true), channel);
             MeshgateClient pub = mesh.client("pub-eu", "eu-west", true)) {
            GatewayProcess home = mesh.node("eu-west-1");
            pub.connect().get(30, TimeUnit.SECONDS);
            await("subscribed").atMost(Duration.ofSeconds(30)).until(sub::subscribed);
            for (int i = 1; i <= 2; i++) {
                assertEquals(i, pub.publish(channel, "m" + i, Map.of("n", i)).get(30, TimeUnit.SECONDS).seq());
            }
            await("the first two delivered").atMost(Duration.ofSeconds(30)).until(() -> sub.lastSeq() == 2);

            HttpResponse<String> drop = home.faults("POST", "peer=ap-south&drop=1&reason=lose+the+last+delivery");
            assertEquals(200, drop.statusCode(), drop.body());
            long ackedSeq;
            try {
                ackedSeq = pub.publish(channel, "m3", Map.of("n", 3)).get(60, TimeUnit.SECONDS).seq();
            } finally {
                HttpResponse<String> cleared = home.faults("DELETE", "");
                assertEquals(200, cleared.statusCode(), cleared.body());
            }
            long clearedAt = System.nanoTime();
            assertEquals(3, ackedSeq);
            assertTrue(home.allLinksUp(2), "the home's links stayed up through the drop");

            await("ap-south's subscriber gets the acked message whose delivery was lost")
                    .atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofMillis(100))
                    .until(() -> sub.lastSeq() >= 3);
            long tookMs = (System.nanoTime() - clearedAt) / 1_000_000;
            List<Message> got = sub.received();
            assertEquals(List.of("m1", "m2", "m3"), got.stream().map(Message::id).toList(), "once each, in order");
            assertEquals(List.of(1L, 2L, 3L), got.stream().map(Message::seq).toList());
            assertEquals(List.of(), sub.gaps(), "no gap");
            System.out.printf("lost last delivery over processes: ap-south's subscriber got seq 3 %d ms after the"
                    + " drop was cleared%n", tookMs);
        }
    }
}
