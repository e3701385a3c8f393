package io.meshgate.chaos;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.Set;

import static org.awaitility.Awaitility.await;

/**
 * Scenario 3, a latency spike that reroutes a link under load, with the G6 check. Three one-node regions; the
 * channel's home is eu-west. Two raw-protocol publishers in ap-south (their publishes cross the ap-south - eu-west
 * link to the home) and Java-client publishers in every region publish while 250 to 1,600 ms (uniformly, each way)
 * is added to that link at run time through both ends' {@code /admin/faults} ({@code admin.faults: true}; no
 * restart, no proxy): its heartbeats go unanswered, it is declared down and traffic goes through us-east while frames
 * are still on the slow direct path. Publishes a connection sent in order must get increasing seqs (G6), and nothing
 * may be lost, repeated or reordered. (Until 2026-12 the spike came from the in-JVM fault proxy's latency toxics.)
 */
@Tag("failover-slow")
class LatencyRerouteTest extends FailoverScenario {
    @Test
    void aLatencySpikeThatReroutesKeepsPublisherOrder() throws Exception {
        ChaosMesh mesh = mesh(1, Set.of(), null, Map.of("admin.faults", true));
        String channel = ChaosMesh.channelHomedIn("eu-west", "chaos:reroute");
        ScenarioReport report = report("250-1,600 ms added to the ap-south -> eu-west link (home eu-west) under"
                + " load, until it is declared down and rerouted through us-east; G6 checked on two raw publishers"
                + " in ap-south.");
        Workload load = everyRegion(mesh, channel, true, 8, 25);
        load.publishOrdered("Gap1", mesh.wsUrls("ap-south"), OPEN_ENDED, 32, 8);
        load.publishOrdered("Gap2", mesh.wsUrls("ap-south"), OPEN_ENDED, 32, 8);
        GatewayProcess ap = mesh.node("ap-south-1");
        GatewayProcess eu = mesh.node("eu-west-1");

        load.awaitMoreAcks(300, Duration.ofSeconds(60));
        load.mark("spike");
        // Faults delay the frames a node sends, so each end slows its own direction.
        spike(ap, "peer=eu-west&latencyMs=250&jitterMs=1350&reason=latency+spike");
        spike(eu, "peer=ap-south&latencyMs=250&jitterMs=1350&reason=latency+spike");
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
            spike(ap, "DELETE");
            spike(eu, "DELETE");
        }
        report.figure("catchUpMs", load.catchUpMs(Duration.ofSeconds(60)));
        mesh.awaitFormed("the direct link up again");
        load.mark("link up");
        finish(load, report, null, false);
    }

    /** {@code POST /admin/faults?query}, or {@code DELETE /admin/faults} (every fault) for "DELETE"; must answer 200. */
    private static void spike(GatewayProcess node, String query) throws Exception {
        var answer = query.equals("DELETE") ? node.faults("DELETE", "") : node.faults("POST", query);
        if (answer.statusCode() != 200) {
            throw new AssertionError(node.name() + " refused the fault " + query + ": " + answer.body());
        }
    }
}
