package io.meshgate.chaos;

import io.meshgate.edge.testing.WsClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code gateway.jar channel} against three one-node regions, each its own process: every region's row shows the
 * same home, the home holds the published messages up to its head and durable mark, and it knows which region
 * subscribed.
 */
class ChannelCommandTest {
    @TempDir
    Path dir;

    @Test
    void showsHomeHeadDurableAndInterestPerRegion() throws Exception {
        try (ChaosMesh mesh = ChaosMesh.start("channel-command", dir, 1, Set.of(), null, Map.of())) {
            RegionDrainTest.awaitAllHealthy(mesh.node("us-east-1"));
            String channel = ChaosMesh.channelHomedIn("us-east", "ops:inspect");
            WsClient subscriber = WsClient.connect(mesh.node("eu-west-1").wsUrl(), mesh.token());
            subscriber.send("{\"op\":\"sub\",\"ch\":\"" + channel + "\"}");
            assertNotNull(subscriber.awaitOp("subscribed"));
            WsClient publisher = WsClient.connect(mesh.node("us-east-1").wsUrl(), mesh.token());
            for (int i = 1; i <= 3; i++) {
                publisher.send("{\"op\":\"pub\",\"ch\":\"" + channel + "\",\"id\":\"m" + i + "\",\"data\":" + i + "}");
                assertNotNull(publisher.awaitOp("ack"), publisher.received().toString());
            }
            String config = mesh.config().toString();
            await().atMost(Duration.ofSeconds(20)).until(() -> {
                RegionDrainTest.Cli shown = RegionDrainTest.cli("channel", "--config", config, "--name", channel);
                return shown.code() == 0 && row(shown.output(), "us-east").matches(
                        "us-east +us-east +\\d+ +\\d+ +\\S+ +3 +3 +\\d+ +0 +eu-west")
                        && row(shown.output(), "eu-west").matches("eu-west +us-east +.* +1 +\\S+");
            });
            RegionDrainTest.Cli shown = RegionDrainTest.cli("channel", channel, "--config", config);
            for (String region : ChaosMesh.REGIONS) {
                assertTrue(row(shown.output(), region).startsWith(region) && row(shown.output(), region)
                        .matches(region + " +us-east .*"), "every region sees the same home:\n" + shown.output());
            }
            assertTrue(shown.output().contains("preference order: us-east > "), shown.output());
            assertTrue(row(shown.output(), "eu-west").matches("eu-west +us-east +.* +1 +\\S+"),
                    "SUBS: eu-west's one subscriber:\n" + shown.output());

            assertEquals(2, RegionDrainTest.cli("channel", "--config", config).code(), "--name is required");
            RegionDrainTest.Cli bad = RegionDrainTest.cli("channel", "--config", config, "--name", "bad name!");
            assertEquals(1, bad.code(), bad.output());
            assertTrue(bad.output().contains("HTTP 400"), bad.output());
        }
    }

    private static String row(String output, String region) {
        return output.lines().filter(l -> l.startsWith(region + " ")).findFirst().orElse("");
    }
}
