package io.meshgate.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runtime fault injection ({@code admin.faults: true}, {@code /admin/faults}) as a chaos experiment runs it: three
 * one-node regions, each its own {@code gateway.jar} process, no restart and no proxy. Latency injected on us-east's
 * link to eu-west raises the RTT us-east measures (its {@code /admin/mesh}, {@code /metrics}) and clearing it brings
 * it back to loopback's; bad input is refused with 400 and changes nothing. The in-JVM twin is the regions module's
 * {@code FaultInjectionTest}.
 *
 * <p>The latency stays under the heartbeat interval ({@code mesh.heartbeatMs} 500 here): an answer that comes after
 * the next heartbeat left is no RTT sample but a missed heartbeat ({@code LinkHealth}), so a longer delay takes the
 * link down rather than raising its RTT (what {@code LatencyRerouteTest} relies on).
 */
class FaultInjectionProcessTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void injectedLatencyRaisesALinksMeasuredRttAndClearingItRestoresIt() throws Exception {
        try (ChaosMesh mesh = ChaosMesh.start("fault-injection", dir, 1, Set.of(), null,
                Map.of("admin.faults", true, "mesh.heartbeatMs", 500))) {
            GatewayProcess usEast = mesh.node("us-east-1");
            await("loopback RTT").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                    .until(() -> usEast.rttMs("eu-west") >= 0 && usEast.rttMs("eu-west") < 100);
            double before = usEast.rttMs("eu-west");

            HttpResponse<String> bad = usEast.faults("POST", "peer=eu-west&latencyMs=-5");
            assertEquals(400, bad.statusCode(), bad.body());
            HttpResponse<String> unknown = usEast.faults("POST", "peer=mars&cut=true");
            assertEquals(400, unknown.statusCode(), unknown.body());
            assertEquals(0, JSON.readTree(usEast.faults("GET", "").body()).path("faults").size(),
                    "refused calls changed nothing");

            String config = mesh.config().toString();
            RegionDrainTest.Cli badDrop = RegionDrainTest.cli("faults", "--config", config, "--region", "us-east",
                    "--peer", "eu-west", "--drop", "2");
            assertEquals(2, badDrop.code(), badDrop.output());
            RegionDrainTest.Cli set = RegionDrainTest.cli("faults", "--config", config, "--region", "us-east",
                    "--peer", "eu-west", "--latency-ms", "200", "--jitter-ms", "10", "--reason", "chaos drill");
            assertEquals(0, set.code(), set.output());
            assertTrue(set.output().contains("node us-east-1") && set.output().contains(
                    "faults in force: eu-west latency 200 ms + 0..10 ms jitter"), set.output());
            long injectedAt = System.nanoTime();
            await("the RTT reflects 200 ms").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                    .until(() -> usEast.rttMs("eu-west") >= 170);
            long risenMs = (System.nanoTime() - injectedAt) / 1_000_000;
            double during = usEast.rttMs("eu-west");
            assertEquals(1.0, usEast.metric("meshgate_mesh_faults_active"), "the fault shows in /metrics");
            assertTrue(usEast.allLinksUp(2), "a 200 ms link stays up: it is slow, not gone");
            assertTrue(Files.readString(dir.resolve("us-east-1.log")).contains("chaos drill"), "who and why are logged");

            RegionDrainTest.Cli listed = RegionDrainTest.cli("faults", "--config", config, "--region", "us-east");
            assertEquals(0, listed.code(), listed.output());
            assertTrue(listed.output().contains("eu-west latency 200 ms"), listed.output());
            RegionDrainTest.Cli cleared = RegionDrainTest.cli("faults", "--config", config, "--region", "us-east",
                    "--clear", "--peer", "eu-west", "--reason", "drill over");
            assertEquals(0, cleared.code(), cleared.output());
            assertTrue(cleared.output().contains("no faults in force"), cleared.output());
            JsonNode after = JSON.readTree(usEast.faults("GET", "").body());
            assertEquals(0, after.path("faults").size(), after.toString());
            long clearedAt = System.nanoTime();
            await("the RTT back to loopback's").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                    .until(() -> usEast.rttMs("eu-west") < 100);
            long fallenMs = (System.nanoTime() - clearedAt) / 1_000_000;
            assertEquals(0.0, usEast.metric("meshgate_mesh_faults_active"));
            System.out.printf("fault injection over processes (gateway.jar faults): RTT us-east -> eu-west %.1f ms before, %.1f ms with"
                            + " 200 ms injected (over 170 ms after %d ms), under 100 ms %d ms after the clear (%.1f ms)%n",
                    before, during, risenMs, fallenMs, usEast.rttMs("eu-west"));
        }
    }
}
