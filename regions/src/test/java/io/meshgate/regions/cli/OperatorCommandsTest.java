package io.meshgate.regions.cli;

import io.meshgate.edge.server.EdgeNode;
import io.meshgate.edge.testing.Ports;
import io.meshgate.regions.config.GatewayConfig;
import io.meshgate.regions.config.GatewayConfigLoader;
import io.meshgate.edge.testing.TestRegion;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code status} and {@code drain} against a running two-node region, found through a configuration file. */
class OperatorCommandsTest {
    @TempDir
    Path dir;

    @Test
    void statusShowsEveryNodeAndDrainTakesOneOut() throws Exception {
        try (TestRegion region = TestRegion.nodes(2).start()) {
            Path config = writeConfig(dir, region, "");

            CliRun status = CliRun.run("status", "--config", config.toString());
            assertEquals(0, status.code(), status.out() + status.err());
            assertTrue(status.out().contains("node-1") && status.out().contains("node-2"), status.out());
            assertEquals(2, status.out().lines().filter(l -> l.startsWith("test-region") && l.contains(" yes ")
                    && l.matches(".* 2 +\\d+ +\\d+ +\\d+$")).count(), "both ready, each seeing 2 members:\n" + status.out());

            CliRun drain = CliRun.run("drain", "--config", config.toString(), "--node", "node-2");
            assertEquals(0, drain.code(), drain.err());
            assertTrue(drain.out().contains("node-2") && drain.out().contains("draining"), drain.out());
            await().atMost(Duration.ofSeconds(30)).until(() -> region.node(1).whenDrained().isDone());

            CliRun after = CliRun.run("status", "--config", config.toString());
            assertEquals(1, after.code(), "a node is not ready: " + after.out());
            assertTrue(after.out().lines().anyMatch(l -> l.contains("node-2") && l.contains("no: draining")), after.out());
            assertEquals(0, CliRun.run("status", "--config", config.toString(), "--node", "node-1").code());
            assertEquals(2, CliRun.run("drain", "--config", config.toString(), "--node", "node-9").code());

            // What a Kubernetes preStop hook runs inside the pod: no configuration, the node's loopback URL.
            CliRun local = CliRun.run("drain", "--url", "http://127.0.0.1:" + region.node(0).edgePort());
            assertEquals(0, local.code(), local.err());
            await().atMost(Duration.ofSeconds(30)).until(() -> region.node(0).whenDrained().isDone());
            assertEquals(2, CliRun.run("drain", "--url", "127.0.0.1:1").code(), "not a URL");
        }
    }

    @Test
    void aPreStopDrainOfANodeWithAnAdminTokenReadsItFromTheSecretsFile() throws Exception {
        Path token = dir.resolve("token");
        Files.writeString(token, "an-admin-token\n");
        GatewayConfig config = GatewayConfigLoader.parse("""
                regions:
                  - name: solo
                    nodes:
                      - {name: a, host: 127.0.0.1, edgePort: 0, relayPort: 0, clusterPort: %d, adminPort: 0}
                auth:
                  mode: insecure
                admin:
                  tokenFile: "%s"
                """.formatted(Ports.free(), token), null);
        try (EdgeNode node = EdgeNode.start(config.nodeSettings("a"))) {
            String admin = "http://127.0.0.1:" + node.adminPort();
            CliRun noToken = CliRun.run("drain", "--url", admin);
            assertEquals(1, noToken.code(), "a node with admin.token wants it even from loopback: " + noToken.out());
            assertFalse(node.whenDrained().isDone());
            assertEquals(2, CliRun.run("drain", "--url", admin, "--token-file", dir.resolve("none").toString())
                    .code(), "an unreadable token file is a usage error");

            CliRun drain = CliRun.run("drain", "--url", admin, "--token-file", token.toString());
            assertEquals(0, drain.code(), drain.out() + drain.err());
            await().atMost(Duration.ofSeconds(30)).until(() -> node.whenDrained().isDone());
        }
    }

    /** The configuration of a running two-node {@link TestRegion}, with {@code extra} YAML appended. */
    static Path writeConfig(Path dir, TestRegion region, String extra) throws java.io.IOException {
        Path config = dir.resolve("region.yaml");
        Files.writeString(config, """
                regions:
                  - name: test-region
                    nodes:
                      - {name: node-1, host: 127.0.0.1, edgePort: %d, relayPort: %d, clusterPort: %d}
                      - {name: node-2, host: 127.0.0.1, edgePort: %d, relayPort: %d, clusterPort: %d}
                auth:
                  hs256Secret: "%s"
                """.formatted(region.node(0).edgePort(), Ports.free(), Ports.free(), region.node(1).edgePort(),
                Ports.free(), Ports.free(), TestRegion.SECRET) + extra);
        return config;
    }
}
