package io.meshgate.chaos;

import io.meshgate.chaos.client.RecordingSubscriber;
import io.meshgate.chaos.client.WindowedPublisher;
import io.meshgate.chaos.faults.ToxiproxyHandle;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;

/**
 * What every failover scenario (issue 12) shares: its directory, what it opened (closed after it, also when it
 * fails), the deployment, the standard clients and the steps after the fault. Each scenario is one test method in a
 * subclass, tagged {@code failover}; the build runs them with {@code -Pchaos-failover}.
 */
@Tag("failover")
abstract class FailoverScenario {
    /** Publishers go on until the scenario stops them. */
    static final int OPEN_ENDED = 1_000_000;

    @TempDir
    Path dir;

    @RegisterExtension
    final Resources resources = new Resources();

    ChaosMesh mesh(int nodesPerRegion, Set<String> proxied, ToxiproxyHandle toxiproxy, Map<String, Object> settings)
            throws IOException {
        return resources.track(ChaosMesh.start(name(), dir, nodesPerRegion, proxied, toxiproxy, settings));
    }

    ScenarioReport report(String description) {
        return new ScenarioReport(name(), description);
    }

    /** The standard clients ({@link Workload#everyRegion}), closed after the test. */
    Workload everyRegion(ChaosMesh mesh, String channel, boolean pinned, int window, long intervalMs) {
        return resources.track(Workload.everyRegion(mesh, channel, pinned, OPEN_ENDED, window, intervalMs));
    }

    /**
     * The fail-back set-up: a subscriber kept to each region; us-east's publisher may have {@code backlogWindow}
     * publishes unacked at once (its retry backlog while us-east is away), the other regions' publishers 8; and a G6
     * publisher in {@code interim}. Returns us-east's publisher.
     */
    WindowedPublisher withHomeBacklog(Workload load, ChaosMesh mesh, String interim, int backlogWindow) {
        resources.track(load);
        ChaosMesh.REGIONS.forEach(r -> load.subscribe("sub-" + r, r, true));
        load.awaitSubscribed();
        WindowedPublisher home = load.publish("Pus", "us-east", true, OPEN_ENDED, backlogWindow, 15);
        ChaosMesh.REGIONS.stream().filter(r -> !r.equals("us-east"))
                .forEach(r -> load.publish(Workload.publisherName(r), r, true, OPEN_ENDED, 8, 25));
        load.publishOrdered("G" + interim.substring(0, 2), mesh.wsUrls(interim), OPEN_ENDED, 16, 25);
        return home;
    }

    /**
     * After the fault: lets 300 more acks arrive, stops publishing, waits for every ack and every subscriber
     * ({@link Workload#settle}), notes when {@code stays} (if any) lost its connection, and writes the report and
     * asserts it ({@link ScenarioReport#assertClean}).
     */
    void finish(Workload load, ScenarioReport report, RecordingSubscriber stays, boolean planned) {
        if (!load.awaitMoreAcks(300, Duration.ofSeconds(60))) {
            report.problem("fewer than 300 acks in the 60 s after the fault");
        }
        load.stopIssuing();
        load.mark("publishing stopped");
        load.settle(report, Duration.ofSeconds(180));
        if (stays != null && stays.reconnects() > 0) {
            report.problem("the subscriber that must stay connected reconnected " + stays.reconnects() + " times");
        }
        report.from(load).assertClean(planned);
    }

    private String name() {
        return getClass().getSimpleName();
    }
}
