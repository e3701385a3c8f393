package io.meshgate.chaos;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.Set;

import static org.awaitility.Awaitility.await;

/**
 * {@code gateway.jar failover --region us-east} and {@code restore --region us-east} under publish load, us-east
 * being the channel's home: the channel moves to its next home by the planned handover while us-east keeps running,
 * and back after restore. Clients are not kept to a region, so us-east's follow its {@code move}. The history
 * checker must find nothing lost, duplicated or reordered; the report has the longest ack gap.
 */
class FailoverCommandTest extends FailoverScenario {
    @Test
    void failOverTheHomeRegionAndRestoreItUnderLoad() throws Exception {
        ChaosMesh mesh = mesh(1, Set.of(), null, Map.of());
        String config = mesh.config().toString();
        String channel = ChaosMesh.channelHomedIn("us-east", "chaos:failover-cmd");
        String next = ChaosMesh.runnerUp(channel);
        ScenarioReport report = report("failover --region us-east (the channel's home) and restore --region us-east"
                + " under load; the channel moves to " + next + " and back by planned handover.");
        RegionDrainTest.awaitAllHealthy(mesh.node("eu-west-1"));
        Workload load = everyRegion(mesh, channel, false, 8, 25);

        load.awaitMoreAcks(150, Duration.ofSeconds(60));
        load.mark("failover us-east");
        operator(report, config, "failover", "chaos test");
        await().atMost(Duration.ofSeconds(30)).until(() -> RegionDrainTest.cli("channel", channel, "--config",
                config).output().contains("us-east      " + next));
        load.mark("home moved to " + next);
        System.out.println("$ channel " + channel + "\n" + RegionDrainTest.cli("channel", channel, "--config", config)
                .output());
        if (!load.awaitMoreAcks(300, Duration.ofSeconds(60))) {
            report.problem("acks did not go on after the failover within 60 s");
        }
        if (!mesh.node("us-east-1").isAlive()) {
            report.problem("us-east-1 stopped; failover must keep it running");
        }
        load.mark("restore us-east");
        operator(report, config, "restore", "chaos test over");
        await().atMost(Duration.ofSeconds(30)).until(() -> RegionDrainTest.cli("channel", channel, "--config",
                config).output().contains("eu-west      us-east"));
        load.mark("home back in us-east");
        report.figure("nextHome", next);
        finish(load, report, null, false);
    }

    /** Runs {@code command --region us-east} as an operator would, printing what it printed for the runbook. */
    private static void operator(ScenarioReport report, String config, String command, String reason)
            throws Exception {
        RegionDrainTest.Cli run = RegionDrainTest.cli(command, "--config", config, "--region", "us-east", "--reason",
                reason);
        System.out.println("$ " + command + " --region us-east\n" + run.output() + "exit " + run.code());
        if (run.code() != 0) {
            report.problem(command + " exited " + run.code() + ": " + run.output());
        }
    }
}
