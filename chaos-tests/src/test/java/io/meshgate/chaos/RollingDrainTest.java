package io.meshgate.chaos;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.Set;

/**
 * Scenario 4, a rolling drain of two-node regions. Three regions of two nodes each; us-east is the channel's home.
 * Every node in turn is drained with {@code gateway.jar drain}, started again, and the next one waits until its
 * region has both members and every link is up, while publishers and subscribers in every region (seeded with both
 * of their region's nodes, so a {@code move} takes them to the other one) go on. A region always has a live node,
 * so the channel must never re-home: one epoch from start to end, and nothing lost, repeated or reordered.
 */
@Tag("failover-slow")
class RollingDrainTest extends FailoverScenario {
    @Test
    void aRollingDrainChangesNoEpochAndLosesNothing() throws Exception {
        ChaosMesh mesh = mesh(2, Set.of(), null, Map.of());
        String channel = ChaosMesh.channelHomedIn("us-east", "chaos:rolling");
        ScenarioReport report = report("Rolling drain (gateway.jar drain, then restart) of every node of three"
                + " two-node regions; home us-east. No epoch may change.");
        Workload load = everyRegion(mesh, channel, true, 8, 40);
        for (String region : ChaosMesh.REGIONS) {
            load.publishOrdered("G" + region.substring(0, 2), mesh.wsUrls(region), OPEN_ENDED, 16, 40);
        }
        load.awaitMoreAcks(150, Duration.ofSeconds(60));
        for (String region : ChaosMesh.REGIONS) {
            for (String node : mesh.nodesOf(region)) {
                load.mark("drain " + node);
                mesh.drain(node);
                mesh.restart(node);
                mesh.awaitFormed(node + " back in its region, every link up");
                load.mark(node + " back");
                if (!load.awaitMoreAcks(50, Duration.ofSeconds(30))) {
                    report.problem("acks stalled after " + node + " came back");
                }
            }
        }
        report.figure("catchUpMs", load.catchUpMs(Duration.ofSeconds(60)));
        finish(load, report, null, true);
    }
}
