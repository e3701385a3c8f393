package io.meshgate.chaos;

import io.meshgate.chaos.client.RecordingSubscriber;
import io.meshgate.chaos.client.WindowedPublisher;
import io.meshgate.client.Message;
import io.meshgate.client.MeshgateClient;
import io.meshgate.edge.auth.TokenMinter;
import io.meshgate.edge.testing.Ports;
import io.meshgate.relay.mesh.Rendezvous;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Three regions as three gateway.jar processes. Publishers and subscribers (the Java client) in every region use
 * one channel; its home region is killed with SIGKILL while they publish. The channel must re-home to the runner-up
 * of its ranking and go on there, and when the killed region is started again (empty) it takes the channel back.
 * Every subscriber, the one pinned to the killed region included (it resumes there after the restart), must hold
 * every acknowledged message once, in order, at its acknowledged seq, across both epoch changes.
 */
class RegionKillTest {
    private static final String SECRET = "chaos-secret-chaos-secret-chaos-secret-0123";
    private static final List<String> REGIONS = List.of("us-east", "eu-west", "ap-south");
    private static final int PER_PUBLISHER = 150;

    @TempDir
    Path dir;

    @RegisterExtension
    final Resources resources = new Resources();

    @Test
    void aKilledHomeRegionLosesNothingAcknowledgedAndTakesItsChannelBack() throws IOException {
        Map<String, Integer> edge = new HashMap<>();
        REGIONS.forEach(r -> edge.put(r, Ports.free()));
        Path config = dir.resolve("mesh.yaml");
        StringBuilder yaml = new StringBuilder("regions:\n");
        for (String region : REGIONS) {
            yaml.append("""
                      - name: %s
                        nodes:
                          - {name: %s-1, host: 127.0.0.1, edgePort: %d, relayPort: %d, clusterPort: %d}
                    """.formatted(region, region, edge.get(region), Ports.free(), Ports.free()));
        }
        yaml.append("""
                auth:
                  hs256Secret: "%s"
                drain:
                  timeoutMs: 2000
                mesh:
                  heartbeatMs: 250
                  reconnectMaxMs: 1000
                """.formatted(SECRET));
        Files.writeString(config, yaml.toString());
        Map<String, GatewayProcess> nodes = new LinkedHashMap<>();
        for (String region : REGIONS) {
            nodes.put(region, resources.track(GatewayProcess.start(config, region + "-1", edge.get(region), dir)));
        }
        awaitMesh(nodes, "three regions, every link up");

        String channel = null;
        for (int i = 0; channel == null; i++) {
            if (Rendezvous.home("chaos:region-kill-" + i, REGIONS).equals("us-east")) {
                channel = "chaos:region-kill-" + i;
            }
        }
        List<String> rank = Rendezvous.rank(channel, REGIONS);
        String home = rank.get(0);
        String runnerUp = rank.get(1);
        String token = new TokenMinter(SECRET).mint("chaos", List.of("*"), List.of("*"), Duration.ofHours(1));

        Map<String, RecordingSubscriber> subscribers = new LinkedHashMap<>();
        for (String region : REGIONS) {
            subscribers.put(region, resources.track(new RecordingSubscriber(
                    client(token, "sub-" + region, nodes, region), channel)));
        }
        await("every subscriber subscribed").atMost(Duration.ofSeconds(30))
                .until(() -> subscribers.values().stream().allMatch(RecordingSubscriber::subscribed));
        Map<String, WindowedPublisher> publishers = new LinkedHashMap<>();
        for (String region : REGIONS) {
            publishers.put(region, resources.track(new WindowedPublisher(client(token, "pub-" + region, nodes, region),
                    channel, PER_PUBLISHER, 4)));
        }
        await("messages flowing").atMost(Duration.ofSeconds(60)).until(() -> acked(publishers).size() >= 60);

        nodes.get(home).kill();
        long killedAt = System.nanoTime();
        int atKill = acked(publishers).size();
        try {
            await("publishing goes on without the home region").atMost(Duration.ofSeconds(90))
                    .until(() -> acked(publishers).size() >= atKill + 60);
        } catch (RuntimeException e) {
            fail("no failover: acked " + atKill + " → " + acked(publishers).size() + "\n"
                    + nodes.get(runnerUp).logTail(), e);
        }
        // Reported, not asserted: wall-clock figures belong to benchmarks.
        System.out.printf("RegionKillTest: 60 more acks %d ms after the SIGKILL of %s (channel re-homed to %s)%n",
                (System.nanoTime() - killedAt) / 1_000_000, home, runnerUp);

        Path restartLogs = Files.createDirectories(dir.resolve("restarted"));
        nodes.put(home, resources.track(GatewayProcess.start(config, home + "-1", edge.get(home), restartLogs)));
        awaitMesh(nodes, "the killed region is back in the mesh");
        try {
            await("every publish acknowledged").atMost(Duration.ofSeconds(120))
                    .until(() -> acked(publishers).size() == REGIONS.size() * PER_PUBLISHER);
        } catch (RuntimeException e) {
            fail("publishers stalled at " + acked(publishers).size() + "\n" + nodes.get(home).logTail() + "\n"
                    + nodes.get(runnerUp).logTail(), e);
        }
        publishers.values().forEach(p -> assertEquals(List.of(), p.failures(), "no publish given up"));
        Map<String, Long> acked = acked(publishers);
        long highest = acked.values().stream().mapToLong(Long::longValue).max().orElseThrow();

        for (Map.Entry<String, RecordingSubscriber> entry : subscribers.entrySet()) {
            RecordingSubscriber subscriber = entry.getValue();
            try {
                await("subscriber in " + entry.getKey() + " caught up").atMost(Duration.ofSeconds(60)).until(() -> {
                    List<Message> got = subscriber.received();
                    return !got.isEmpty() && got.get(got.size() - 1).seq() >= highest;
                });
            } catch (RuntimeException e) {
                fail("subscriber in " + entry.getKey() + " stuck at " + subscriber.received().size()
                        + " messages\n" + nodes.get(entry.getKey()).logTail(), e);
            }
            HistoryChecker.check(subscriber.received(), acked, REGIONS.size() * PER_PUBLISHER);
            Set<String> epochs = new TreeSet<>();
            subscriber.received().forEach(m -> epochs.add(m.epoch()));
            assertTrue(epochs.size() >= 3, "the home, the interim home and the home that came back each sequenced"
                    + " with their own epoch: " + epochs);
        }
        assertTrue(subscribers.get(home).reconnects() >= 1, "the killed region's subscriber resumed after the restart");
    }

    private static Map<String, Long> acked(Map<String, WindowedPublisher> publishers) {
        Map<String, Long> all = new HashMap<>();
        publishers.values().forEach(p -> all.putAll(p.acked()));
        return all;
    }

    /** A client that uses only its own region, so the killed region's clients wait for it and resume there. */
    private static MeshgateClient client(String token, String clientId, Map<String, GatewayProcess> nodes,
                                         String region) {
        MeshgateClient.Builder builder = MeshgateClient.builder(URI.create(nodes.get(region).httpUrl()));
        for (GatewayProcess other : nodes.values()) {
            builder.seed(URI.create(other.httpUrl()));
        }
        return builder.regions(region).backoff(Duration.ofMillis(250), Duration.ofSeconds(2)).token(token)
                .clientId(clientId).build();
    }

    private static void awaitMesh(Map<String, GatewayProcess> nodes, String what) {
        try {
            await(what).atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500))
                    .until(() -> nodes.values().stream().allMatch(n -> n.allLinksUp(2)));
        } catch (RuntimeException e) {
            List<String> logs = new ArrayList<>();
            nodes.values().forEach(n -> logs.add(n.logTail()));
            fail("the mesh did not form:\n" + String.join("\n", logs), e);
        }
    }
}
