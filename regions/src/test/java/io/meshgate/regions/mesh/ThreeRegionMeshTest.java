package io.meshgate.regions.mesh;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshgate.edge.server.EdgeNode;
import io.meshgate.edge.testing.Http;
import io.meshgate.edge.testing.Ports;
import io.meshgate.regions.cli.CliRun;
import io.meshgate.edge.testing.WsClient;
import io.meshgate.regions.demo.DemoMesh;
import io.meshgate.relay.mesh.Rendezvous;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Three regions in one JVM, joined by the real mesh over 127.0.0.1 sockets; eu-west has two nodes. */
class ThreeRegionMeshTest {
    private static MeshCluster mesh;

    @BeforeAll
    static void start() {
        mesh = new MeshCluster(2, null);
    }

    @AfterAll
    static void stop() {
        if (mesh != null) {
            mesh.close();
        }
    }

    @Test
    void publishersInEveryRegionGiveEverySubscriberTheSameSequence() {
        String ch = "chat:everywhere";
        List<WsClient> subscribers = new ArrayList<>();
        List<WsClient> publishers = new ArrayList<>();
        try {
            for (EdgeNode node : mesh.nodes) {
                WsClient sub = WsClient.connect(node.wsUrl(), null);
                sub.send("{\"op\":\"sub\",\"ch\":\"" + ch + "\"}");
                assertNotNull(sub.awaitOp("subscribed"));
                subscribers.add(sub);
                publishers.add(WsClient.connect(node.wsUrl(), null));
            }
            int perPublisher = 20;
            for (int i = 0; i < perPublisher; i++) {
                for (int p = 0; p < publishers.size(); p++) {
                    publishers.get(p).send("{\"op\":\"pub\",\"ch\":\"" + ch + "\",\"id\":\"p" + p + "-" + i
                            + "\",\"data\":{\"i\":" + i + "}}");
                }
            }
            int total = perPublisher * publishers.size();
            for (WsClient publisher : publishers) {
                for (int i = 0; i < perPublisher; i++) {
                    JsonNode ack = publisher.await(f -> f.path("op").asText().equals("ack")
                            || f.path("op").asText().equals("nack"), Duration.ofSeconds(30));
                    assertNotNull(ack, "every publish is answered");
                    assertEquals("ack", ack.path("op").asText(), ack.toString());
                }
            }
            List<String> reference = null;
            for (WsClient sub : subscribers) {
                List<String> seen = new ArrayList<>();
                for (int i = 0; i < total; i++) {
                    JsonNode msg = sub.await(f -> f.path("op").asText().equals("msg"), Duration.ofSeconds(30));
                    assertNotNull(msg, "message " + (i + 1) + " of " + total + " reached every subscriber");
                    assertEquals(i + 1, msg.path("seq").asLong(), "contiguous from 1");
                    seen.add(msg.path("epoch").asText() + "/" + msg.path("seq").asLong() + "/"
                            + msg.path("id").asText() + "/" + msg.path("ts").asLong() + "/" + msg.path("data"));
                }
                for (int p = 0; p < publishers.size(); p++) {
                    int previous = -1;
                    for (String entry : seen) {
                        String id = entry.split("/")[2];
                        if (id.startsWith("p" + p + "-")) {
                            int i = Integer.parseInt(id.substring(id.indexOf('-') + 1));
                            assertTrue(i > previous, "G6: publisher " + p + "'s messages in send order: " + seen);
                            previous = i;
                        }
                    }
                }
                if (reference == null) {
                    reference = seen;
                } else {
                    assertEquals(reference, seen, "identical positions, ids, data and ts in every region");
                }
            }
        } finally {
            subscribers.forEach(WsClient::close);
            publishers.forEach(WsClient::close);
        }
    }

    @Test
    void aRegionWithoutSubscribersReceivesNoneOfTheChannelsMessages() {
        // A channel whose home is us-east and whose durability fallback (the runner-up) is not ap-south, so
        // ap-south is neither home, nor subscriber, nor durability copy.
        String ch = null;
        for (int i = 0; ch == null; i++) {
            String candidate = "quiet:" + i;
            List<String> rank = Rendezvous.rank(candidate, DemoMesh.REGIONS);
            if (rank.get(0).equals("us-east") && rank.get(1).equals("eu-west")) {
                ch = candidate;
            }
        }
        EdgeNode apSouth = mesh.node("ap-south", 0);
        double before = deliveriesIn(apSouth);
        try (WsClient sub = WsClient.connect(mesh.node("eu-west", 1).wsUrl(), null);
             WsClient pub = WsClient.connect(mesh.node("ap-south", 0).wsUrl(), null)) {
            sub.send("{\"op\":\"sub\",\"ch\":\"" + ch + "\"}");
            assertNotNull(sub.awaitOp("subscribed"));
            for (int i = 1; i <= 10; i++) {
                pub.send("{\"op\":\"pub\",\"ch\":\"" + ch + "\",\"id\":\"q" + i + "\",\"data\":" + i + "}");
                JsonNode ack = pub.awaitOp("ack");
                assertNotNull(ack);
                assertEquals(i, ack.path("seq").asLong());
            }
            for (int i = 1; i <= 10; i++) {
                JsonNode msg = sub.awaitOp("msg");
                assertNotNull(msg);
                assertEquals(i, msg.path("seq").asLong());
            }
        }
        String channel = ch;
        assertEquals(before, deliveriesIn(apSouth), "ap-south received no delivery over the mesh");
        // ap-south keeps the fence it promised when us-east first reconciled the channel, and nothing else.
        assertEquals(0, apSouth.relay().region().store().read(channel, 0, 10).toCompletableFuture().join().head(),
                "ap-south stores none of the channel's messages");
    }

    @Test
    void aSubscriberThatMovesRegionResumesWithExactlyWhatItMissed() {
        String ch = "chat:traveller";
        try (WsClient pub = WsClient.connect(mesh.node("us-east", 0).wsUrl(), null)) {
            long last;
            try (WsClient inAsia = WsClient.connect(mesh.node("ap-south", 0).wsUrl(), null)) {
                inAsia.send("{\"op\":\"sub\",\"ch\":\"" + ch + "\"}");
                assertNotNull(inAsia.awaitOp("subscribed"));
                for (int i = 1; i <= 5; i++) {
                    pub.send("{\"op\":\"pub\",\"ch\":\"" + ch + "\",\"id\":\"t" + i + "\",\"data\":" + i + "}");
                    assertNotNull(pub.awaitOp("ack"));
                }
                JsonNode msg = null;
                for (int i = 1; i <= 5; i++) {
                    msg = inAsia.awaitOp("msg");
                    assertNotNull(msg);
                }
                last = msg.path("seq").asLong();
                assertEquals(5, last);
            }
            for (int i = 6; i <= 12; i++) {
                pub.send("{\"op\":\"pub\",\"ch\":\"" + ch + "\",\"id\":\"t" + i + "\",\"data\":" + i + "}");
                assertNotNull(pub.awaitOp("ack"));
            }
            try (WsClient inEurope = WsClient.connect(mesh.node("eu-west", 1).wsUrl(), null)) {
                inEurope.send("{\"op\":\"sub\",\"ch\":\"" + ch + "\",\"from\":{\"epoch\":\"x\",\"seq\":" + last + "}}");
                JsonNode subscribed = inEurope.awaitOp("subscribed");
                assertNotNull(subscribed);
                assertEquals(12, subscribed.path("seq").asLong(), "the channel's head, not a region's");
                assertTrue(subscribed.path("recovered").asBoolean(), subscribed.toString());
                for (int i = 6; i <= 12; i++) {
                    JsonNode msg = inEurope.await(f -> f.path("op").asText().equals("msg")
                            || f.path("op").asText().equals("gap"));
                    assertNotNull(msg);
                    assertEquals("msg", msg.path("op").asText());
                    assertEquals(i, msg.path("seq").asLong());
                    assertEquals("t" + i, msg.path("id").asText());
                }
                assertEquals(null, inEurope.await(f -> f.path("op").asText().equals("msg"), Duration.ofMillis(500)),
                        "nothing more, nothing twice");
            }
        }
    }

    @Test
    void aRetriedPublishAppearsOnceWhereverItIsRetried() {
        String ch = "chat:retry";
        try (WsClient sub = WsClient.connect(mesh.node("ap-south", 0).wsUrl(), null);
             WsClient first = WsClient.connect(mesh.node("eu-west", 0).wsUrl(), null);
             WsClient retry = WsClient.connect(mesh.node("us-east", 0).wsUrl(), null)) {
            sub.send("{\"op\":\"sub\",\"ch\":\"" + ch + "\"}");
            assertNotNull(sub.awaitOp("subscribed"));
            first.send("{\"op\":\"pub\",\"ch\":\"" + ch + "\",\"id\":\"same\",\"data\":1}");
            JsonNode ack1 = first.awaitOp("ack");
            // The ack "was lost": the publisher retries with the same id, here through another region.
            retry.send("{\"op\":\"pub\",\"ch\":\"" + ch + "\",\"id\":\"same\",\"data\":1}");
            JsonNode ack2 = retry.awaitOp("ack");
            assertEquals(ack1.path("seq").asLong(), ack2.path("seq").asLong());
            assertEquals(ack1.path("epoch").asText(), ack2.path("epoch").asText());
            JsonNode msg = sub.awaitOp("msg");
            assertEquals("same", msg.path("id").asText());
            assertEquals(null, sub.await(f -> f.path("op").asText().equals("msg"), Duration.ofMillis(500)));
        }
    }

    @Test
    void regionsAndTheMeshAreVisibleToClientsAndOperators() {
        EdgeNode node = mesh.node("eu-west", 1);
        JsonNode regions = new Http(node.httpUrl()).get("/v1/regions", null).json();
        assertEquals("eu-west", regions.path("self").asText());
        Map<String, Boolean> healthy = new HashMap<>();
        regions.path("regions").forEach(r -> healthy.put(r.path("name").asText(), r.path("healthy").asBoolean()));
        assertEquals(Map.of("us-east", true, "eu-west", true, "ap-south", true), healthy);
        JsonNode status = new Http(node.httpUrl()).get("/admin/mesh", null).json();
        assertEquals(false, status.path("leader").asBoolean(), "eu-west-2 is not its region's leader");
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            JsonNode s = new Http(node.httpUrl()).get("/admin/mesh", null).json();
            return s.path("rttMs").path("us-east").path("ap-south").isNumber()
                    && s.path("links").path("us-east").path("up").asBoolean();
        });
        String metrics = new Http(node.httpUrl()).get("/metrics", null).body();
        assertTrue(metrics.contains("meshgate_mesh_rtt_seconds{"), "RTT gauges are exported");
        assertTrue(metrics.lines().anyMatch(l -> l.startsWith("meshgate_mesh_rtt_matrix_seconds{from=\"ap-south\",")
                && l.contains("to=\"us-east\"")), "every node exports the whole matrix:\n" + metrics);
    }

    @Test
    void theStatusCommandShowsEveryLinkAndTheRttMatrix() throws Exception {
        StringBuilder yaml = new StringBuilder("regions:\n");
        for (String region : DemoMesh.REGIONS) {
            yaml.append("  - name: ").append(region).append("\n    nodes:\n");
            for (int n = 0; n < mesh.nodesPerRegion; n++) {
                EdgeNode node = mesh.node(region, n);
                yaml.append("      - {name: ").append(region).append('-').append(n + 1)
                        .append(", host: 127.0.0.1, edgePort: ").append(node.edgePort()).append(", relayPort: ")
                        .append(node.relayPort()).append(", clusterPort: ").append(Ports.free()).append("}\n");
            }
        }
        yaml.append("auth:\n  mode: insecure\n");
        Path config = Files.createTempFile("meshgate-status-", ".yaml");
        try {
            Files.writeString(config, yaml);
            await().atMost(Duration.ofSeconds(10)).until(() -> !CliRun.run("status", "--config", config.toString())
                    .out().contains("?"));
            CliRun status = CliRun.run("status", "--config", config.toString());
            assertEquals(0, status.code(), status.out() + status.err());
            List<String> lines = status.out().lines().toList();
            for (String from : DemoMesh.REGIONS) {
                for (String to : DemoMesh.REGIONS) {
                    if (!from.equals(to)) {
                        assertTrue(lines.stream().anyMatch(l -> l.matches(from + " +" + to + " +up")),
                                from + "->" + to + " is listed as up:\n" + status.out());
                    }
                }
                assertTrue(lines.stream().anyMatch(l -> l.matches(from + "( +(-|\\d+\\.\\d)){3}")),
                        "a matrix row with a measured RTT to each other region for " + from + ":\n" + status.out());
            }
        } finally {
            Files.deleteIfExists(config);
        }
    }

    private static double deliveriesIn(EdgeNode node) {
        var counter = node.meters().find("meshgate.mesh.deliveries").tag("direction", "in").counter();
        return counter == null ? 0 : counter.count();
    }
}
