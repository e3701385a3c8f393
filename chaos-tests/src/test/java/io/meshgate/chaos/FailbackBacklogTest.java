package io.meshgate.chaos;

import io.meshgate.chaos.client.WindowedPublisher;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.Set;

import static org.awaitility.Awaitility.await;

/**
 * Scenario 2, fail-back with a retry backlog larger than {@code history.maxMessages} (200 here). Three one-node
 * regions; us-east is the channel's home. It is drained ({@code gateway.jar drain}) and stays down while everyone
 * publishes: the channel moves to the interim home, and us-east's publisher, kept to its region, piles up more
 * unacked publishes than the history holds. us-east then starts again (empty) and takes its channel back while that
 * backlog is retried. The subscriber in the interim home's region stays connected the whole time and must get every
 * acked message, once, in order: a {@code gap} there is a loss.
 */
@Tag("failover-slow")
class FailbackBacklogTest extends FailoverScenario {
    private static final int MAX_MESSAGES = 200;

    @Test
    void failBackWithABacklogBeyondHistoryLosesNothing() throws Exception {
        ChaosMesh mesh = mesh(1, Set.of(), null, Map.of("history.maxMessages", MAX_MESSAGES));
        String channel = ChaosMesh.channelHomedIn("us-east", "chaos:failback");
        String interim = ChaosMesh.runnerUp(channel);
        ScenarioReport report = report("The home (us-east) is drained and restarted empty while its publisher"
                + " piles up a retry backlog larger than history.maxMessages (" + MAX_MESSAGES + "); the channel"
                + " fails over to " + interim + " and back.");
        Workload load = new Workload(mesh, channel);
        WindowedPublisher home = withHomeBacklog(load, mesh, interim, 600);

        load.awaitMoreAcks(150, Duration.ofSeconds(60));
        load.mark("drain home");
        mesh.drain("us-east-1");
        load.mark("home stopped");
        if (!load.awaitMoreAcks(150, Duration.ofSeconds(60))) {
            report.problem("acks did not go on without the home within 60 s");
        }
        try {
            await("a backlog beyond history").atMost(Duration.ofSeconds(60))
                    .until(() -> home.unacked() > MAX_MESSAGES + 200);
        } catch (RuntimeException e) {
            report.problem("the home's publisher built a backlog of only " + home.unacked());
        }
        report.figure("backlogAtRestart", home.unacked());
        load.mark("restart home");
        mesh.restart("us-east-1");
        mesh.awaitFormed("us-east back in the mesh");
        load.mark("home back in the mesh");
        report.figure("catchUpMs", load.catchUpMs(Duration.ofSeconds(60)));
        report.figure("interimHome", interim).figure("historyMaxMessages", MAX_MESSAGES);
        finish(load, report, load.subscribers().get("sub-" + interim), false);
    }
}
