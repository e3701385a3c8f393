package io.meshgate.chaos;

import io.meshgate.chaos.client.RecordingSubscriber;
import io.meshgate.chaos.client.WindowedPublisher;
import io.meshgate.chaos.faults.ProxiedAddress;
import io.meshgate.chaos.faults.ToxiproxyHandle;
import io.meshgate.chaos.faults.Toxiproxies;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Three regions as three gateway.jar processes. The ap-south → eu-west link runs through a Toxiproxy (a container
 * where Docker exists, the in-JVM fault proxy here), which is cut while publishers in eu-west and ap-south publish
 * on a channel homed in eu-west and a subscriber in ap-south records everything. While the link is cut, messages
 * must keep flowing through us-east; once it is restored, the subscriber must hold every acknowledged message, in
 * order, each once.
 */
class LinkCutTest {
    private static final String SECRET = "chaos-secret-chaos-secret-chaos-secret-0123";
    private static final List<String> REGIONS = List.of("us-east", "eu-west", "ap-south");
    private static final int PER_PUBLISHER = 300;

    @TempDir
    Path dir;

    @RegisterExtension
    final Resources resources = new Resources();

    @Test
    void aCutLinkIsRoutedAroundAndRestoredWithoutLossOrDuplicates() throws IOException {
        ToxiproxyHandle toxiproxy = resources.track(Toxiproxies.start());
        int euRelay = Ports.free();
        ProxiedAddress euVia = toxiproxy.proxy("eu-west-relay", "127.0.0.1", euRelay);
        Map<String, Integer> edge = new HashMap<>();
        REGIONS.forEach(r -> edge.put(r, Ports.free()));
        Path config = dir.resolve("mesh.yaml");
        Files.writeString(config, """
                regions:
                  - name: us-east
                    nodes:
                      - {name: us-east-1, host: 127.0.0.1, edgePort: %d, relayPort: %d, clusterPort: %d}
                  - name: eu-west
                    nodes:
                      - {name: eu-west-1, host: 127.0.0.1, edgePort: %d, relayPort: %d, clusterPort: %d,
                         relayAdvertise: "%s"}
                  - name: ap-south
                    nodes:
                      - {name: ap-south-1, host: 127.0.0.1, edgePort: %d, relayPort: %d, clusterPort: %d}
                auth:
                  hs256Secret: "%s"
                drain:
                  timeoutMs: 2000
                mesh:
                  heartbeatMs: 250
                  reconnectMaxMs: 1000
                """.formatted(edge.get("us-east"), Ports.free(), Ports.free(),
                edge.get("eu-west"), euRelay, Ports.free(), euVia.hostPort(),
                edge.get("ap-south"), Ports.free(), Ports.free(), SECRET));
        Map<String, GatewayProcess> nodes = new HashMap<>();
        for (String region : REGIONS) {
            nodes.put(region, resources.track(GatewayProcess.start(config, region + "-1", edge.get(region), dir)));
        }
        GatewayProcess ap = nodes.get("ap-south");
        GatewayProcess eu = nodes.get("eu-west");
        try {
            await("three regions, every link up").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500))
                    .until(() -> nodes.values().stream().allMatch(n -> n.allLinksUp(2)));
        } catch (RuntimeException e) {
            fail("the mesh did not form:\n" + ap.logTail() + "\n" + eu.logTail(), e);
        }

        String channel = channelHomedIn("eu-west");
        String token = new TokenMinter(SECRET).mint("chaos", List.of("*"), List.of("*"), Duration.ofHours(1));
        RecordingSubscriber subscriber = resources.track(new RecordingSubscriber(client(token, "sub", ap, "ap-south"), channel));
        await("subscribed").atMost(Duration.ofSeconds(30)).until(subscriber::subscribed);
        WindowedPublisher inHome = resources.track(new WindowedPublisher(client(token, "eu", eu, "eu-west"), channel,
                PER_PUBLISHER, 4));
        WindowedPublisher farAway = resources.track(new WindowedPublisher(client(token, "ap", ap, "ap-south"), channel,
                PER_PUBLISHER, 4));
        await("messages flowing").atMost(Duration.ofSeconds(60))
                .until(() -> inHome.ackedCount() + farAway.ackedCount() >= 100);

        euVia.proxy().disable();
        int atCut = subscriber.received().size();
        try {
            await("the cut link is routed around through us-east").atMost(Duration.ofSeconds(60))
                    .until(() -> ap.meshView().path("links").path("eu-west").path("relayed").asBoolean()
                            && subscriber.received().size() >= atCut + 50);
        } catch (RuntimeException e) {
            fail("nothing reached ap-south while its link to eu-west was cut (received " + atCut + " → "
                    + subscriber.received().size() + ", acked " + inHome.ackedCount() + "+" + farAway.ackedCount()
                    + ")\n" + ap.logTail(), e);
        }
        euVia.proxy().enable();
        try {
            await("the direct link is back").atMost(Duration.ofSeconds(60))
                    .until(() -> ap.meshView().path("links").path("eu-west").path("up").asBoolean());
            await("every publish acknowledged").atMost(Duration.ofSeconds(120))
                    .until(() -> inHome.ackedCount() == PER_PUBLISHER && farAway.ackedCount() == PER_PUBLISHER);
        } catch (RuntimeException e) {
            fail("after the restore: acked " + inHome.ackedCount() + "+" + farAway.ackedCount() + "\n"
                    + ap.logTail() + "\n" + eu.logTail(), e);
        }
        assertEquals(List.of(), inHome.failures(), "no publish given up");
        assertEquals(List.of(), farAway.failures(), "no publish given up");
        Map<String, Long> acked = new HashMap<>(inHome.acked());
        acked.putAll(farAway.acked());
        long highest = acked.values().stream().mapToLong(Long::longValue).max().orElseThrow();
        try {
            await("subscriber caught up").atMost(Duration.ofSeconds(60)).until(() -> {
                List<Message> got = subscriber.received();
                return !got.isEmpty() && got.get(got.size() - 1).seq() >= highest;
            });
        } catch (RuntimeException e) {
            fail("subscriber stuck at " + subscriber.received().size() + " messages\n" + ap.logTail(), e);
        }
        HistoryChecker.check(subscriber.received(), acked, 2 * PER_PUBLISHER);
        assertTrue(subscriber.reconnects() == 0, "the subscriber never lost its own connection");
    }

    /** A client kept to one region, so the test decides which links its messages cross. */
    private static MeshgateClient client(String token, String clientId, GatewayProcess node, String region) {
        return MeshgateClient.builder(URI.create(node.httpUrl())).regions(region).token(token).clientId(clientId)
                .build();
    }

    private static String channelHomedIn(String region) {
        for (int i = 0; ; i++) {
            String candidate = "chaos:cut-" + i;
            if (Rendezvous.home(candidate, REGIONS).equals(region)) {
                return candidate;
            }
        }
    }
}
