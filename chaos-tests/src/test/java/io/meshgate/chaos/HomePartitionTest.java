package io.meshgate.chaos;

import eu.rekawek.toxiproxy.Proxy;
import eu.rekawek.toxiproxy.model.ToxicDirection;
import io.meshgate.chaos.client.WindowedPublisher;
import io.meshgate.chaos.faults.Toxiproxies;
import io.meshgate.chaos.faults.ToxiproxyHandle;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.Set;

import static org.awaitility.Awaitility.await;

/**
 * Scenario 1, partition of the home region, then heal. Three one-node regions; us-east is the channel's home and
 * both of its links run through the fault proxy. Publishers and subscribers in every region keep to their region.
 * The partition holds every byte on both links (a {@code latency} toxic of 10 minutes each way: nothing is dropped,
 * as with a blackholed route whose TCP retransmits after the heal), so us-east is cut off while its own clients stay
 * connected to it; its publisher, kept to us-east, retries what us-east refuses while cut off (a cut-off region nacks
 * publishes at once, so the backlog at the heal is small; {@code FailbackBacklogTest} covers a large one). The
 * channel re-homes; after about 15 s of traffic without us-east (more than {@code history.maxMessages}, 200 here)
 * the partition heals, and the scenario waits until every region names us-east the home again (the fail-back, after
 * {@code mesh.failbackHoldMs}) before it stops publishing. Every subscriber, the one in the interim home's region
 * connected all along included, must hold every acked message once, in order.
 */
@Tag("failover-slow")
class HomePartitionTest extends FailoverScenario {
    private static final long HOLD_MS = 600_000;
    private static final int MAX_MESSAGES = 200;

    @Test
    void partitionOfTheHomeThenHealLosesNothing() throws Exception {
        ToxiproxyHandle toxiproxy = resources.track(Toxiproxies.start());
        ChaosMesh mesh = mesh(1, Set.of("us-east"), toxiproxy, Map.of("history.maxMessages", MAX_MESSAGES));
        String channel = ChaosMesh.channelHomedIn("us-east", "chaos:partition");
        String interim = ChaosMesh.runnerUp(channel);
        ScenarioReport report = report("Partition of the home region (us-east, both links held) then heal; the"
                + " channel re-homes to " + interim + " and back.");
        Workload load = new Workload(mesh, channel);
        WindowedPublisher home = withHomeBacklog(load, mesh, interim, 400);

        load.awaitMoreAcks(150, Duration.ofSeconds(60));
        load.mark("partition");
        Proxy proxy = mesh.proxy("us-east").proxy();
        proxy.toxics().latency("hold-down", ToxicDirection.DOWNSTREAM, HOLD_MS);
        proxy.toxics().latency("hold-up", ToxicDirection.UPSTREAM, HOLD_MS);
        try {
            // About 15 s of the other regions' traffic: long enough for us-east's backlog to outgrow the history.
            if (!load.awaitMoreAcks(1_500, Duration.ofSeconds(90))) {
                report.problem("acks did not go on without the partitioned home");
            }
            report.figure("backlogAtHeal", home.unacked());
        } finally {
            load.mark("heal");
            proxy.toxics().get("hold-down").remove();
            proxy.toxics().get("hold-up").remove();
        }
        report.figure("catchUpMs", load.catchUpMs(Duration.ofSeconds(60)));
        mesh.awaitFormed("every link up again after the heal");
        load.mark("links up");
        String config = mesh.config().toString();
        try {
            await("every region names us-east the home again").atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(250))
                    .until(() -> homeEverywhere(RegionDrainTest.cli("channel", channel, "--config", config).output(),
                            "us-east"));
            load.mark("home back in us-east");
        } catch (RuntimeException e) {
            report.problem("the channel did not fail back to us-east within 60 s of the heal");
        }
        report.figure("interimHome", interim).figure("historyMaxMessages", MAX_MESSAGES);
        finish(load, report, load.subscribers().get("sub-" + interim), false);
    }

    /** Whether every region's row of {@code gateway.jar channel} names {@code home} in its HOME column. */
    static boolean homeEverywhere(String channelOutput, String home) {
        long rows = channelOutput.lines().map(l -> l.trim().split("\\s+"))
                .filter(cols -> cols.length > 1 && ChaosMesh.REGIONS.contains(cols[0]))
                .filter(cols -> cols[1].equals(home)).count();
        return rows == ChaosMesh.REGIONS.size();
    }
}
