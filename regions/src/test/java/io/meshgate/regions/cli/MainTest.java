package io.meshgate.regions.cli;

import io.meshgate.edge.auth.AuthSettings;
import io.meshgate.edge.auth.TokenVerifier;
import io.meshgate.regions.demo.DemoMesh;
import org.junit.jupiter.api.Test;


import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MainTest {
    @Test
    void everyCommandHasHelp() {
        for (String command : new String[] {"demo", "node", "token", "check-config", "status", "drain", "undrain", "channel",
                "faults"}) {
            CliRun r = CliRun.run(command, "--help");
            assertEquals(0, r.code(), command);
            assertTrue(r.out().startsWith("Usage: java -jar gateway.jar " + command), r.out());
        }
        assertEquals(0, CliRun.run("help").code());
        assertTrue(CliRun.run("--help").out().contains("Commands:"));
    }

    @Test
    void topLevelHelpDescribesTheThreeRegionDemo() {
        String help = CliRun.run("help").out();
        assertTrue(help.contains("three regions") && help.contains("us-east :8081") && help.contains("eu-west :8091")
                && help.contains("ap-south :8101"), help);
        assertTrue(!help.contains("8082"), "no trace of the old one-region demo: " + help);
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
    void faultsCommandLinesThatCannotWorkExitTwoNamingTheMistake() {
        String mesh = "../examples/mesh.yaml";
        CliRun noRegion = CliRun.run("faults", "--config", mesh);
        assertEquals(2, noRegion.code());
        assertTrue(noRegion.err().contains("--region is required"), noRegion.err());
        CliRun faultWithoutPeer = CliRun.run("faults", "--config", mesh, "--region", "us-east", "--cut");
        assertEquals(2, faultWithoutPeer.code());
        assertTrue(faultWithoutPeer.err().contains("need --peer"), faultWithoutPeer.err());
        CliRun unknownPeer = CliRun.run("faults", "--config", mesh, "--region", "us-east", "--peer", "mars");
        assertEquals(2, unknownPeer.code());
        assertTrue(unknownPeer.err().contains("--peer mars is not in the configuration"), unknownPeer.err());
        CliRun selfPeer = CliRun.run("faults", "--config", mesh, "--region", "us-east", "--peer", "us-east");
        assertEquals(2, selfPeer.code());
        CliRun badDrop = CliRun.run("faults", "--config", mesh, "--region", "us-east", "--peer", "eu-west",
                "--drop", "1.5");
        assertEquals(2, badDrop.code());
        assertTrue(badDrop.err().contains("--drop must be a probability"), badDrop.err());
        CliRun badLatency = CliRun.run("faults", "--config", mesh, "--region", "us-east", "--peer", "eu-west",
                "--latency-ms", "soon");
        assertEquals(2, badLatency.code());
        CliRun tooLong = CliRun.run("faults", "--config", mesh, "--region", "us-east", "--peer", "eu-west",
                "--latency-ms", "70000");
        assertEquals(2, tooLong.code(), "checked here, not refused by the node with exit 1");
        assertTrue(tooLong.err().contains("--latency-ms must be between 0 and 60000"), tooLong.err());
        CliRun unknownRegion = CliRun.run("faults", "--config", mesh, "--region", "mars");
        assertEquals(2, unknownRegion.code());
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
    void demoIsThreeInsecureRegionsJoinedByTheMeshWithOptionalLatency() {
        var nodes = DemoMesh.nodes(DemoMesh.defaultPorts(8081, 5701, 1), 1, DemoMesh.DEFAULT_RTT_MS, null);
        assertEquals(3, nodes.size());
        assertEquals(java.util.List.of("us-east", "eu-west", "ap-south"),
                nodes.stream().map(n -> n.edge().region()).toList());
        assertEquals(java.util.List.of(8081, 8091, 8101), nodes.stream().map(n -> n.edge().port()).toList());
        nodes.forEach(n -> assertEquals(AuthSettings.MODE_INSECURE, n.auth().mode()));
        var usEast = nodes.get(0).relay().mesh();
        assertEquals(java.util.Set.of("eu-west", "ap-south"), usEast.peers().keySet());
        assertEquals(70L, usEast.emulatedRttMs().get("eu-west"));
        assertEquals(150L, usEast.emulatedRttMs().get("ap-south"));
        assertEquals(90L, nodes.get(1).relay().mesh().emulatedRttMs().get("ap-south"));
        assertEquals(9091, usEast.peers().get("eu-west").get(0).port(), "regions dial each other's relay ports");
        assertEquals(3, nodes.get(2).regionUrls().size(), "every region is listed in /v1/regions");

        // With --latency, /v1/regions sends clients through each region's delaying front.
        var fronted = DemoMesh.nodes(DemoMesh.defaultPorts(8081, 5701, 1), 1, DemoMesh.DEFAULT_RTT_MS, null,
                java.util.Map.of("us-east", "http://127.0.0.1:10081", "eu-west", "http://127.0.0.1:10091",
                        "ap-south", "http://127.0.0.1:10101"));
        assertEquals("http://127.0.0.1:10091", fronted.get(0).regionUrls().get("eu-west"));
        assertEquals(10101, DemoMesh.frontPort(8081, 2));
        assertEquals(8091, fronted.get(1).edge().port(), "the edges themselves stay where they were");
    }
}
