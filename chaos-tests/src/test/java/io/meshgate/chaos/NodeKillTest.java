package io.meshgate.chaos;

import io.meshgate.chaos.client.RecordingSubscriber;
import io.meshgate.chaos.client.WindowedPublisher;
import io.meshgate.client.Message;
import io.meshgate.client.MeshgateClient;
import io.meshgate.edge.auth.TokenMinter;
import io.meshgate.edge.testing.Ports;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A region of two node processes (gateway.jar, as an operator runs it); one is killed with SIGKILL while
 * messages flow. Clients (the Java client, seeded with both nodes) of the dead node reconnect to the other and resume
 * by position. Checked on the recorded histories: nothing acknowledged is lost (G2), nothing repeated (G3), nothing
 * out of order (G1).
 */
class NodeKillTest {
    private static final String SECRET = "chaos-secret-chaos-secret-chaos-secret-0123";
    private static final String CHANNEL = "chaos:kill";
    private static final int PER_PUBLISHER = 400;

    @TempDir
    Path dir;

    @RegisterExtension
    final Resources resources = new Resources();

    @Test
    void killedNodeLosesNothingAcknowledged() throws IOException {
        int edgeA = Ports.free();
        int edgeB = Ports.free();
        Path config = dir.resolve("region.yaml");
        Files.writeString(config, """
                regions:
                  - name: chaos
                    nodes:
                      - {name: node-a, host: 127.0.0.1, edgePort: %d, relayPort: %d, clusterPort: %d}
                      - {name: node-b, host: 127.0.0.1, edgePort: %d, relayPort: %d, clusterPort: %d}
                auth:
                  hs256Secret: "%s"
                drain:
                  timeoutMs: 2000
                """.formatted(edgeA, Ports.free(), Ports.free(), edgeB, Ports.free(), Ports.free(), SECRET));
        GatewayProcess a = resources.track(GatewayProcess.start(config, "node-a", edgeA, dir));
        GatewayProcess b = resources.track(GatewayProcess.start(config, "node-b", edgeB, dir));
        try {
            await("both nodes up and in one cluster").atMost(Duration.ofSeconds(120))
                    .pollInterval(Duration.ofMillis(500))
                    .until(() -> a.metric("meshgate_region_members") == 2 && b.metric("meshgate_region_members") == 2);
        } catch (RuntimeException e) {
            fail("nodes did not form a region:\n" + a.logTail() + "\n" + b.logTail(), e);
        }

        String token = new TokenMinter(SECRET).mint("chaos", List.of("*"), List.of("*"), Duration.ofHours(1));
        RecordingSubscriber onA = resources.track(new RecordingSubscriber(client(token, "sub-a", a, b), CHANNEL));
        RecordingSubscriber onB = resources.track(new RecordingSubscriber(client(token, "sub-b", b, a), CHANNEL));
        await("subscribed").atMost(Duration.ofSeconds(30)).until(() -> onA.subscribed() && onB.subscribed());
        assertTrue(onA.states().stream().anyMatch(e -> "node-a".equals(e.node()))
                && onB.states().stream().anyMatch(e -> "node-b".equals(e.node())), "one subscriber on each node");

        WindowedPublisher pubA = resources.track(new WindowedPublisher(client(token, "a", a, b), CHANNEL, PER_PUBLISHER, 8));
        WindowedPublisher pubB = resources.track(new WindowedPublisher(client(token, "b", b, a), CHANNEL, PER_PUBLISHER, 8));

        await("messages flowing").atMost(Duration.ofSeconds(60))
                .until(() -> pubA.ackedCount() + pubB.ackedCount() >= PER_PUBLISHER / 2);
        b.kill();
        assertTrue(!b.isAlive(), "node-b must be dead");

        try {
            await("every publish acknowledged after the kill").atMost(Duration.ofSeconds(120))
                    .until(() -> pubA.ackedCount() == PER_PUBLISHER && pubB.ackedCount() == PER_PUBLISHER);
        } catch (RuntimeException e) {
            fail("publishers stalled at " + pubA.ackedCount() + "/" + pubB.ackedCount() + "\n" + a.logTail(), e);
        }
        Map<String, Long> acked = new java.util.HashMap<>(pubA.acked());
        acked.putAll(pubB.acked());
        long highest = acked.values().stream().mapToLong(Long::longValue).max().orElseThrow();

        assertEquals(List.of(), pubA.failures(), "no publish given up");
        assertEquals(List.of(), pubB.failures(), "no publish given up");

        for (RecordingSubscriber subscriber : List.of(onA, onB)) {
            try {
                await("subscriber caught up").atMost(Duration.ofSeconds(60)).until(() -> {
                    List<Message> got = subscriber.received();
                    return !got.isEmpty() && got.get(got.size() - 1).seq() >= highest;
                });
            } catch (RuntimeException e) {
                fail("subscriber stuck at " + subscriber.received().size() + " messages\n" + a.logTail(), e);
            }
            HistoryChecker.check(subscriber.received(), acked, 2 * PER_PUBLISHER);
        }
        assertTrue(onB.reconnects() >= 1, "the subscriber of the killed node must have reconnected");
        assertEquals("node-a", onB.states().get(onB.states().size() - 1).node(), "and landed on the other node");
    }

    /** A client seeded with the given nodes in this order: it connects to the first while it answers. */
    private static MeshgateClient client(String token, String clientId, GatewayProcess... seeds) {
        MeshgateClient.Builder builder = MeshgateClient.builder(URI.create(seeds[0].httpUrl()));
        for (int i = 1; i < seeds.length; i++) {
            builder.seed(URI.create(seeds[i].httpUrl()));
        }
        return builder.token(token).clientId(clientId).build();
    }
}
