package io.meshgate.regions.cli;

import io.meshgate.edge.auth.AuthSettings;
import io.meshgate.edge.auth.TokenVerifier;
import io.meshgate.regions.demo.DemoRegion;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MainTest {
    @Test
    void everyCommandHasHelp() {
        for (String command : new String[] {"demo", "node", "token", "check-config", "status", "drain"}) {
            Result r = run(command, "--help");
            assertEquals(0, r.code, command);
            assertTrue(r.out.startsWith("Usage: java -jar gateway.jar " + command), r.out);
        }
        assertEquals(0, run("help").code);
        assertTrue(run("--help").out.contains("Commands:"));
    }

    @Test
    void badCommandLinesExitTwoWithAMessage() {
        Result unknown = run("frobnicate");
        assertEquals(2, unknown.code);
        assertTrue(unknown.err.contains("unknown command 'frobnicate'"), unknown.err);
        Result missing = run("node", "--node", "a");
        assertEquals(2, missing.code);
        assertTrue(missing.err.contains("--config is required"), missing.err);
        Result badOption = run("token", "--colour", "red");
        assertEquals(2, badOption.code);
        assertTrue(badOption.err.contains("unknown option '--colour'"), badOption.err);
    }

    @Test
    void badConfigurationExitsOneNamingTheKey() {
        Result r = run("check-config", "--config", "/nonexistent.yaml");
        assertEquals(1, r.code);
        assertTrue(r.err.contains("configuration error"), r.err);
    }

    @Test
    void tokenCommandMintsATokenTheExampleConfigurationAccepts() throws Exception {
        Result r = run("token", "--config", "../examples/region.yaml", "--sub", "alice", "--subscribe", "chat:*",
                "--publish", "chat:room1");
        assertEquals(0, r.code, r.err);
        var config = io.meshgate.regions.config.GatewayConfigLoader.load(java.nio.file.Path.of("..", "examples",
                "region.yaml"));
        var principal = TokenVerifier.create(config.auth()).verify(r.out.trim());
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

    private record Result(int code, String out, String err) {
    }

    private static Result run(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int code = Main.run(args);
            return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }
}
