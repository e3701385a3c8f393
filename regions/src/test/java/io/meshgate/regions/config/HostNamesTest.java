package io.meshgate.regions.config;

import io.meshgate.edge.server.EdgeNode;
import io.meshgate.edge.server.NodeSettings;
import io.meshgate.edge.testing.Ports;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Nodes known to their peers and clients by a DNS name, as in any deployment beyond one machine: the name is what
 * members list and clients are told; sockets bind the bind host.
 */
class HostNamesTest {

    @Test
    void nodesNamedByDnsFormOneRegionAndServe() throws Exception {
        String yaml = """
                regions:
                  - name: named
                    nodes:
                      - {name: a, host: localhost, bindHost: 127.0.0.1, edgePort: %d, relayPort: %d, clusterPort: %d}
                      - {name: b, host: localhost, bindHost: 127.0.0.1, edgePort: %d, relayPort: %d, clusterPort: %d}
                auth:
                  mode: insecure
                """.formatted(Ports.free(), Ports.free(), Ports.free(), Ports.free(), Ports.free(), Ports.free());
        GatewayConfig config = GatewayConfigLoader.parse(yaml, null);
        NodeSettings a = config.nodeSettings("a");
        assertEquals(List.of("localhost:" + a.relay().cluster().port(), "localhost:" + config.nodeSettings("b")
                .relay().cluster().port()), a.relay().cluster().members());
        List<EdgeNode> nodes = new ArrayList<>();
        try {
            nodes.add(EdgeNode.start(a));
            nodes.add(EdgeNode.start(config.nodeSettings("b")));
            await().atMost(Duration.ofSeconds(60)).until(() -> nodes.stream()
                    .allMatch(n -> n.relay().region().clusterSize() == 2));
            assertTrue(nodes.get(0).wsUrl().startsWith("ws://localhost:"), nodes.get(0).wsUrl());

            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<String> ack = http.send(HttpRequest.newBuilder(URI.create(nodes.get(0).httpUrl()
                    + "/v1/publish")).POST(HttpRequest.BodyPublishers.ofString(
                    "{\"ch\":\"named\",\"id\":\"n1\",\"data\":1}")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, ack.statusCode(), ack.body());
            HttpResponse<String> poll = http.send(HttpRequest.newBuilder(URI.create(nodes.get(1).httpUrl()
                    + "/v1/poll?ch=named@:0&wait=5")).build(), HttpResponse.BodyHandlers.ofString());
            assertTrue(poll.body().contains("\"id\":\"n1\""), poll.body());
        } finally {
            nodes.forEach(n -> n.relay().region().hazelcast().getLifecycleService().terminate());
            nodes.forEach(EdgeNode::close);
        }
    }

    @Test
    void aNamedHostBindsEveryInterfaceUnlessToldAndTheBindHostMustBeAnAddress() {
        String yaml = """
                regions:
                  - name: named
                    nodes:
                      - {name: a, host: gw-a.example.internal}
                auth:
                  mode: insecure
                """;
        NodeSettings a = GatewayConfigLoader.parse(yaml, null).nodeSettings("a");
        assertEquals("0.0.0.0", a.bindHost());
        assertEquals("gw-a.example.internal", a.relay().cluster().publicHost());
        assertEquals("gw-a.example.internal", a.edge().host());
        assertEquals("10.0.0.7", GatewayConfigLoader.parse(yaml.replace("{name: a,", "{name: a, host: 10.0.0.7,")
                .replace(" host: gw-a.example.internal", ""), null).nodeSettings("a").bindHost());
        ConfigException e = assertThrows(ConfigException.class, () -> GatewayConfigLoader.parse(
                yaml.replace("{name: a,", "{name: a, bindHost: gw-a,"), null));
        assertTrue(e.getMessage().contains("regions[0].nodes[0].bindHost"), e.getMessage());
    }
}
