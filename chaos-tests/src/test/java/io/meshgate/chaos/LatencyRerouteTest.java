package io.meshgate.chaos;

import eu.rekawek.toxiproxy.Proxy;
import eu.rekawek.toxiproxy.model.ToxicDirection;
import io.meshgate.chaos.faults.Toxiproxies;
import io.meshgate.chaos.faults.ToxiproxyHandle;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.Set;

import static org.awaitility.Awaitility.await;

/**
 * Scenario 3, a latency spike that reroutes a link under load, with the G6 check. Three one-node regions; the
 * channel's home is eu-west, and the ap-south → eu-west link runs through the fault proxy. Two raw-protocol
 * publishers in ap-south (their publishes cross that link to the home) and Java-client publishers in every region
 * publish while 250 to 1,600 ms (latency 925 ± 675 ms, each way) is added to the link: its heartbeats go unanswered,
 * it is declared down and traffic goes through us-east while frames are still on the slow direct path. Publishes a
 * connection sent in order must get increasing seqs (G6), and nothing may be lost, repeated or reordered.
 */
@Tag("failover-slow")
class LatencyRerouteTest extends FailoverScenario {
    @Test
    void aLatencySpikeThatReroutesKeepsPublisherOrder() throws Exception {
        ToxiproxyHandle toxiproxy = resources.track(Toxiproxies.start());
        ChaosMesh mesh = mesh(1, Set.of("eu-west"), toxiproxy, Map.of());
        String channel = ChaosMesh.channelHomedIn("eu-west", "chaos:reroute");
        ScenarioReport report = report("250-1,600 ms added to the ap-south -> eu-west link (home eu-west) under"
                + " load, until it is declared down and rerouted through us-east; G6 checked on two raw publishers"
                + " in ap-south.");
        Workload load = everyRegion(mesh, channel, true, 8, 25);
        load.publishOrdered("Gap1", mesh.wsUrls("ap-south"), OPEN_ENDED, 32, 8);
        load.publishOrdered("Gap2", mesh.wsUrls("ap-south"), OPEN_ENDED, 32, 8);
        GatewayProcess ap = mesh.node("ap-south-1");

        load.awaitMoreAcks(300, Duration.ofSeconds(60));
        load.mark("spike");
        Proxy proxy = mesh.proxy("eu-west").proxy();
        proxy.toxics().latency("spike-down", ToxicDirection.DOWNSTREAM, 925).setJitter(675);
        proxy.toxics().latency("spike-up", ToxicDirection.UPSTREAM, 925).setJitter(675);
        try {
            try {
                await("the slow link declared down and rerouted").atMost(Duration.ofSeconds(30))
                        .pollInterval(Duration.ofMillis(100)).until(() -> {
                            var link = ap.meshView().path("links").path("eu-west");
                            return !link.path("up").asBoolean(true) || link.path("relayed").asBoolean();
                        });
                load.mark("rerouted");
            } catch (RuntimeException e) {
                report.problem("the slow link was never declared down: nothing was rerouted");
            }
            if (!load.awaitMoreAcks(600, Duration.ofSeconds(60))) {
                report.problem("acks stalled during the spike");
            }
        } finally {
            load.mark("spike removed");
            proxy.toxics().get("spike-down").remove();
            proxy.toxics().get("spike-up").remove();
        }
        report.figure("catchUpMs", load.catchUpMs(Duration.ofSeconds(60)));
        mesh.awaitFormed("the direct link up again");
        load.mark("link up");
        finish(load, report, null, false);
    }
}
