package io.meshgate.regions.cli;

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

/** {@code drain --keep-running}, {@code undrain} and their exit codes against a running two-node region. */
class UndrainCommandTest {
    @TempDir
    Path dir;

    @Test
    void drainKeepingTheNodeRunningThenUndrain() throws Exception {
        try (TestRegion region = TestRegion.nodes(2).edge(s -> s.withAdminToken("ops-secret")).start()) {
            Path config = OperatorCommandsTest.writeConfig(dir, region, "admin:\n  token: ops-secret\n");
            String cfg = config.toString();

            CliRun out = CliRun.run("drain", "--config", cfg, "--node", "node-2", "--keep-running", "--reason",
                    "swap disk");
            assertEquals(0, out.code(), out.out() + out.err());
            assertTrue(out.out().contains("node node-2") && out.out().contains("now out of service"), out.out());
            CliRun again = CliRun.run("drain", "--config", cfg, "--node", "node-2", "--keep-running");
            assertEquals(0, again.code(), again.err());
            assertTrue(again.out().contains("already out of service"), again.out());

            CliRun status = CliRun.run("status", "--config", cfg);
            assertEquals(1, status.code());
            assertTrue(status.out().lines().anyMatch(l -> l.contains("node-2") && l.contains("no: out of service")),
                    status.out());
            assertFalse(region.node(1).whenDrained().isDone(), "kept running");

            CliRun back = CliRun.run("undrain", "--config", cfg, "--region", "test-region", "--reason", "disk ok");
            assertEquals(0, back.code(), back.out() + back.err());
            assertTrue(back.out().contains("node node-1") && back.out().contains("already in service"), back.out());
            assertTrue(back.out().contains("node node-2") && back.out().contains("back in service"), back.out());
            await().atMost(Duration.ofSeconds(20)).until(() -> CliRun.run("status", "--config", cfg).code() == 0);

            // A region drain needs another region to send clients to: this deployment has none.
            CliRun regionDrain = CliRun.run("drain", "--config", cfg, "--region", "test-region");
            assertEquals(1, regionDrain.code(), regionDrain.out());
            assertTrue(regionDrain.err().contains("no other region"), regionDrain.err());
            assertEquals(0, CliRun.run("status", "--config", cfg).code(), "refused: nothing changed");

            assertEquals(2, CliRun.run("undrain", "--config", cfg).code(), "neither --node nor --region");
            assertEquals(2, CliRun.run("undrain", "--config", cfg, "--node", "node-1", "--region", "x").code());
            assertEquals(2, CliRun.run("undrain", "--config", cfg, "--region", "nowhere").code());
            assertEquals(2, CliRun.run("drain", "--config", cfg, "--region", "nowhere").code());

            // Without the token the node refuses: exit 1, and nothing changed.
            Path noToken = dir.resolve("no-token.yaml");
            Files.writeString(noToken, Files.readString(config).replace("token: ops-secret", "token: wrong"));
            CliRun refused = CliRun.run("drain", "--config", noToken.toString(), "--node", "node-1",
                    "--keep-running");
            assertEquals(1, refused.code(), refused.out());
            assertTrue(refused.err().contains("HTTP 403"), refused.err());
            assertEquals(0, CliRun.run("status", "--config", cfg).code());

            // One node by its URL, as a Kubernetes hook would: the token comes from a file (a mounted Secret).
            Path tokenFile = dir.resolve("admin-token");
            Files.writeString(tokenFile, "ops-secret\n");
            String url = region.node(1).httpUrl();
            assertEquals(0, CliRun.run("drain", "--url", url, "--token-file", tokenFile.toString(), "--keep-running")
                    .code());
            CliRun noFile = CliRun.run("undrain", "--url", url);
            assertEquals(1, noFile.code(), "no token: refused");
            assertTrue(noFile.err().contains("HTTP 403"), noFile.err());
            CliRun byUrl = CliRun.run("undrain", "--url", url, "--token-file", tokenFile.toString(), "--reason", "ok");
            assertEquals(0, byUrl.code(), byUrl.out() + byUrl.err());
            assertTrue(byUrl.out().contains("back in service"), byUrl.out());
            assertEquals(2, CliRun.run("undrain", "--url", url, "--token-file", dir.resolve("none").toString())
                    .code(), "an unreadable token file is a bad command line");
        }
    }
}
