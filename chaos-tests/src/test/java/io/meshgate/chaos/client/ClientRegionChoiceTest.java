package io.meshgate.chaos.client;

import eu.rekawek.toxiproxy.model.ToxicDirection;
import io.meshgate.chaos.Resources;
import io.meshgate.chaos.faults.ProxiedAddress;
import io.meshgate.chaos.faults.Toxiproxies;
import io.meshgate.chaos.faults.ToxiproxyHandle;
import io.meshgate.client.Ack;
import io.meshgate.client.MeshgateClient;
import io.meshgate.client.RegionChangeEvent;
import io.meshgate.edge.testing.Ports;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Three regions in this JVM, each advertised in {@code /v1/regions} at a fault proxy's URL; the proxies in front of
 * eu-west and ap-south add latency. The client, seeded with the slowest region (also the first one listed), must
 * measure that and connect to us-east, the fastest and the last listed.
 */
class ClientRegionChoiceTest {
    private static final Map<String, Integer> ADDED_LATENCY_MS = Map.of("us-east", 0, "eu-west", 200, "ap-south", 400);

    @RegisterExtension
    final Resources resources = new Resources();

    @Test
    void connectsToTheRegionWithTheLowestMedianRtt() throws Exception {
        ToxiproxyHandle toxiproxy = resources.track(Toxiproxies.start());
        DeploymentYaml yaml = new DeploymentYaml();
        Map<String, String> advertised = new java.util.HashMap<>();
        for (String region : List.of("us-east", "eu-west", "ap-south")) {
            int edge = Ports.free();
            ProxiedAddress via = toxiproxy.proxy(region + "-edge", "127.0.0.1", edge);
            int latency = ADDED_LATENCY_MS.get(region);
            if (latency > 0) {
                via.proxy().toxics().latency(region + "-slow", ToxicDirection.DOWNSTREAM, latency);
            }
            advertised.put(region, "http://" + via.hostPort());
            yaml.region(region, advertised.get(region), edge);
        }
        resources.track(InJvmGateway.start(yaml.with("""
                auth:
                  mode: insecure
                """)));

        List<RegionChangeEvent> changes = new CopyOnWriteArrayList<>();
        MeshgateClient client = resources.track(MeshgateClient.builder(URI.create(advertised.get("ap-south"))).build());
        client.onRegionChange(changes::add);
        assertEquals("us-east", client.connect().get(60, TimeUnit.SECONDS).region());

        assertEquals("us-east", client.region());
        assertEquals(List.of("us-east", "eu-west", "ap-south"), List.copyOf(client.rtts().keySet()),
                "every region measured, lowest RTT first: " + client.rtts());
        Duration slowest = client.rtts().get("ap-south");
        assertTrue(slowest.toMillis() >= 400, "ap-south's RTT includes its proxy's latency: " + slowest);
        await().atMost(Duration.ofSeconds(10)).until(() -> !changes.isEmpty());
        assertEquals(new RegionChangeEvent(null, "us-east", client.rtts()), changes.get(0));

        // The chosen region works end to end: a publisher kept to ap-south reaches the subscriber in us-east.
        RecordingSubscriber subscriber = resources.track(new RecordingSubscriber(client, "chat:choice"));
        await("subscribed").atMost(Duration.ofSeconds(30)).until(subscriber::subscribed);
        MeshgateClient farAway = resources.track(MeshgateClient.builder(URI.create(advertised.get("us-east")))
                .regions("ap-south").build());
        assertEquals("ap-south", farAway.connect().get(60, TimeUnit.SECONDS).region());
        Ack ack = farAway.publish("chat:choice", Map.of("from", "ap-south")).get(60, TimeUnit.SECONDS);
        await("delivered across regions").atMost(Duration.ofSeconds(30))
                .until(() -> subscriber.received().size() == 1);
        assertEquals(ack.id(), subscriber.received().get(0).id());
    }
}
