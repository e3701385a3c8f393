package io.meshgate.chaos;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.Set;

/**
 * Scenario 5, a drain of a region that is not the home. Three one-node regions; us-east is the channel's home and
 * ap-south, which only stores copies (durability) and serves its own clients, is drained with {@code gateway.jar
 * drain} and so leaves the mesh, then comes back. Its clients may go to another region. The figure is the longest
 * time between two acks anywhere: a durability store in flight to the leaving region must not hold every ack up.
 * The epoch must not change, and nothing may be lost, repeated or reordered.
 */
@Tag("failover-slow")
class NonHomeDrainTest extends FailoverScenario {
    @Test
    void drainingANonHomeRegionKeepsAcksFlowing() throws Exception {
        ChaosMesh mesh = mesh(1, Set.of(), null, Map.of());
        String channel = ChaosMesh.channelHomedIn("us-east", "chaos:nonhome");
        String drained = ChaosMesh.runnerUp(channel).equals("ap-south") ? "eu-west" : "ap-south";
        ScenarioReport report = report("Drain (gateway.jar drain) of " + drained + ", a region that is not the"
                + " channel's home (us-east), then its restart; the longest ack gap is the figure.");
        Workload load = everyRegion(mesh, channel, false, 8, 25);
        load.publishOrdered("Gus", mesh.wsUrls("us-east"), OPEN_ENDED, 16, 25);
        load.awaitMoreAcks(150, Duration.ofSeconds(60));
        load.mark("drain " + drained);
        mesh.drain(drained + "-1");
        load.mark(drained + " stopped");
        if (!load.awaitMoreAcks(200, Duration.ofSeconds(30))) {
            report.problem("acks stalled after the drain of " + drained);
        }
        mesh.restart(drained + "-1");
        mesh.awaitFormed(drained + " back in the mesh");
        load.mark(drained + " back");
        report.figure("catchUpMs", load.catchUpMs(Duration.ofSeconds(60)));
        report.figure("drainedRegion", drained);
        finish(load, report, null, true);
    }
}
