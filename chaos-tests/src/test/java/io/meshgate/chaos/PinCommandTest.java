package io.meshgate.chaos;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;

import static io.meshgate.chaos.RegionDrainTest.awaitAllHealthy;
import static io.meshgate.chaos.RegionDrainTest.cli;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code pin} / {@code unpin} and the refusals of {@code failover} / {@code pin}, as an operator runs them against
 * three one-node regions, each its own {@code gateway.jar} process: a pinned channel is homed in its pinned region by
 * every region, the pin survives that region's restart (its peers teach it again), failing over the last live region
 * and pinning to a region that is down are refused with exit 1 and change nothing, every repeat is idempotent.
 */
class PinCommandTest {
    @TempDir
    Path dir;

    @Test
    void aPinSurvivesARestartAndChangesThatWouldLoseDataAreRefused() throws Exception {
        try (ChaosMesh mesh = startMesh("pin-command")) {
            String config = mesh.config().toString();
            String channel = ChaosMesh.channelHomedIn("us-east", "ops:hot");

            RegionDrainTest.Cli pinned = cli("pin", "--config", config, "--channel", channel, "--region", "eu-west",
                    "--reason", "hot channel, OPS-7");
            assertEquals(0, pinned.code(), pinned.output());
            assertTrue(pinned.output().contains(": done"), pinned.output());
            awaitHomeEverywhere(config, channel, "eu-west");
            RegionDrainTest.Cli again = cli("pin", "--config", config, "--channel", channel, "--region", "eu-west");
            assertEquals(0, again.code(), again.output());
            assertTrue(again.output().contains("already so"), again.output());
            assertTrue(Files.readString(dir.resolve("us-east-1.log")).contains("\"hot channel, OPS-7\""),
                    "who and why are logged");
            RegionDrainTest.Cli status = cli("status", "--config", config);
            assertTrue(status.output().contains("pinned:      " + channel + " -> eu-west"), status.output());

            mesh.kill("eu-west-1");
            mesh.restart("eu-west-1");
            mesh.awaitFormed("eu-west back");
            awaitAllHealthy(mesh.node("eu-west-1"));
            RegionDrainTest.Cli view = awaitHomeEverywhere(config, channel, "eu-west");
            assertTrue(view.output().contains("pinned to:        eu-west"), view.output());

            assertEquals(0, cli("failover", "--config", config, "--region", "us-east").code());
            RegionDrainTest.Cli second = cli("failover", "--config", config, "--region", "ap-south");
            assertEquals(0, second.code(), second.output());
            RegionDrainTest.Cli last = cli("failover", "--config", config, "--region", "eu-west", "--reason", "oops");
            assertEquals(1, last.code(), last.output());
            assertTrue(last.output().contains("would leave no live region"), last.output());
            assertTrue(cli("restore", "--config", config, "--region", "us-east").output().contains(": done"));
            assertEquals(0, cli("restore", "--config", config, "--region", "ap-south").code());
            assertTrue(cli("channel", channel, "--config", config).output().contains("failed over:      -"));

            mesh.kill("ap-south-1");
            await().atMost(Duration.ofSeconds(30)).until(() -> !cli("channel", channel, "--config", config)
                    .output().contains("healthy regions:  ap-south"));
            RegionDrainTest.Cli down = cli("pin", "--config", config, "--channel", "ops:other", "--region",
                    "ap-south");
            assertEquals(1, down.code(), down.output());
            assertTrue(down.output().contains("ap-south is not live"), down.output());

            RegionDrainTest.Cli unpinned = cli("unpin", "--config", config, "--channel", channel);
            assertEquals(0, unpinned.code(), unpinned.output());
            assertEquals(2, cli("pin", "--config", config, "--region", "eu-west").code(), "usage: no --channel");
            assertEquals(2, cli("failover", "--config", config, "--region", "mars").code(), "usage: unknown region");
            assertEquals(0, cli("failover", "--help").code());
        }
    }

    /**
     * The overrides survive a restart of every node at once (issue 13: "pin ... survives restarts"): each node keeps
     * them in {@code mesh.stateDir} (by default beside the configuration file) and reads them back at start. Before,
     * they lived only in the regions' memory and heartbeats, and the restarted mesh had forgotten the pin.
     */
    @Test
    void aPinAndAFailoverSurviveARestartOfEveryNode() throws Exception {
        try (ChaosMesh mesh = startMesh("pin-full-restart")) {
            String config = mesh.config().toString();
            String channel = ChaosMesh.channelHomedIn("us-east", "ops:kept");
            assertEquals(0, cli("pin", "--config", config, "--channel", channel, "--region", "eu-west").code());
            assertEquals(0, cli("failover", "--config", config, "--region", "ap-south").code());
            awaitHomeEverywhere(config, channel, "eu-west");
            for (String region : ChaosMesh.REGIONS) {
                Path file = dir.resolve("meshgate-state").resolve(region + "-1").resolve("home-overrides.properties");
                await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(file)
                        && Files.readString(file).contains("version=2"));
            }

            for (String region : ChaosMesh.REGIONS) {
                mesh.kill(region + "-1");
            }
            for (String region : ChaosMesh.REGIONS) {
                mesh.restart(region + "-1");
            }
            mesh.awaitFormed("every node restarted");
            RegionDrainTest.Cli view = awaitHomeEverywhere(config, channel, "eu-west");
            assertTrue(view.output().contains("pinned to:        eu-west"), view.output());
            assertTrue(view.output().contains("failed over:      ap-south"), view.output());
            RegionDrainTest.Cli status = cli("status", "--config", config);
            assertTrue(status.output().contains("pinned:      " + channel + " -> eu-west"), status.output());
        }
    }

    /** Three one-node regions that re-home (a second's hold), every node healthy as us-east-1 sees them. */
    private ChaosMesh startMesh(String scenario) throws Exception {
        ChaosMesh mesh = ChaosMesh.start(scenario, dir, 1, Set.of(), null,
                Map.of("mesh.durability", "region", "mesh.failbackHoldMs", 1000));
        try {
            awaitAllHealthy(mesh.node("us-east-1"));
        } catch (RuntimeException | Error e) {
            mesh.close();
            throw e;
        }
        return mesh;
    }

    /** Waits until every region's row of {@code channel C} names {@code home}; returns that output. */
    private static RegionDrainTest.Cli awaitHomeEverywhere(String config, String channel, String home) {
        RegionDrainTest.Cli[] last = new RegionDrainTest.Cli[1];
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).until(() -> {
            last[0] = cli("channel", channel, "--config", config);
            long rows = last[0].output().lines().filter(l -> l.matches("^(us-east|eu-west|ap-south) +" + home
                    + " .*")).count();
            return last[0].code() == 0 && rows == ChaosMesh.REGIONS.size();
        });
        return last[0];
    }
}
