package io.meshgate.regions.cli;

import io.meshgate.edge.auth.AuthSettings;
import io.meshgate.edge.auth.TokenVerifier;
import io.meshgate.regions.demo.DemoRegion;
import org.junit.jupiter.api.Test;


import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MainTest {
    @Test
    void everyCommandHasHelp() {
        for (String command : new String[] {"demo", "node", "token", "check-config", "status", "drain"}) {
            CliRun r = CliRun.run(command, "--help");
            assertEquals(0, r.code(), command);
            assertTrue(r.out().startsWith("Usage: java -jar gateway.jar " + command), r.out());
        }
        assertEquals(0, CliRun.run("help").code());
        assertTrue(CliRun.run("--help").out().contains("Commands:"));
    }

    @Test
    void badCommandLinesExitTwoWithAMessage() {
        CliRun unknown = CliRun.run("frobnicate");
        assertEquals(2, unknown.code());
        assertTrue(unknown.err().contains("unknown command 'frobnicate'"), unknown.err());
        CliRun missing = CliRun.run("node", "--node", "a");
        assertEquals(2, missing.code());
        assertTrue(missing.err().contains("--config is required"), missing.err());
        CliRun badOption = CliRun.run("token", "--colour", "red");
        assertEquals(2, badOption.code());
        assertTrue(badOption.err().contains("unknown option '--colour'"), badOption.err());
    }

    @Test
    void badConfigurationExitsOneNamingTheKey() {
        CliRun r = CliRun.run("check-config", "--config", "/nonexistent.yaml");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("configuration error"), r.err());
    }

    @Test
    void tokenCommandMintsATokenTheExampleConfigurationAccepts() throws Exception {
        CliRun r = CliRun.run("token", "--config", "../examples/region.yaml", "--sub", "alice", "--subscribe", "chat:*",
                "--publish", "chat:room1");
        assertEquals(0, r.code(), r.err());
        var config = io.meshgate.regions.config.GatewayConfigLoader.load(java.nio.file.Path.of("..", "examples",
                "region.yaml"));
        var principal = TokenVerifier.create(config.auth()).verify(r.out().trim());
        assertEquals("alice", principal.subject());
        assertTrue(principal.canSubscribe("chat:lobby"));
        assertTrue(principal.canPublish("chat:room1"));
        assertTrue(!principal.canPublish("chat:lobby"));
    }

    @Test
    void demoRegionIsTwoInsecureNodesOnConsecutivePorts() {
        var nodes = DemoRegion.nodes(8081, 5701);
        assertEquals(2, nodes.size());
        assertEquals(8081, nodes.get(0).edge().port());
        assertEquals(8082, nodes.get(1).edge().port());
        assertEquals(AuthSettings.MODE_INSECURE, nodes.get(0).auth().mode());
        assertEquals("eu-west", nodes.get(1).edge().region());
    }
}
