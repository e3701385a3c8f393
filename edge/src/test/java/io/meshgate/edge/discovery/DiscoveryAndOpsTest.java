package io.meshgate.edge.discovery;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshgate.edge.testing.Http;
import io.meshgate.edge.testing.TestRegion;
import io.meshgate.edge.testing.WsClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static io.meshgate.edge.testing.Proto.assertAlive;
import static io.meshgate.edge.testing.Proto.fields;
import static io.meshgate.edge.testing.Proto.token;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * PROTOCOL.md, region discovery ({@code /v1/regions}, {@code /v1/ping}) without auth, and the operating endpoints
 * ({@code /healthz}, {@code /readyz}, {@code /metrics}).
 */
class DiscoveryAndOpsTest {
    static TestRegion region;
    static Http http;

    @BeforeAll
    static void start() {
        region = TestRegion.nodes(1).start();
        http = new Http(region.httpUrl(0));
    }

    @AfterAll
    static void stop() {
        region.close();
    }

    @Test
    void regionsNamesItselfAndListsItselfWithWorkingUrlsAndHealth() {
        Http.Reply reply = http.get("/v1/regions", null);
        assertEquals(200, reply.status(), reply.toString());
        assertTrue(reply.header("content-type").startsWith("application/json"));
        JsonNode body = reply.json();
        assertTrue(body.get("self").isTextual());
        assertTrue(body.get("regions").isArray() && body.get("regions").size() >= 1);
        String self = body.get("self").asText();

        JsonNode mine = null;
        for (JsonNode r : body.get("regions")) {
            assertTrue(fields(r).containsAll(Set.of("name", "ws", "http", "healthy")), r.toString());
            assertTrue(r.get("name").isTextual() && r.get("ws").isTextual() && r.get("http").isTextual());
            assertTrue(r.get("healthy").isBoolean(), r.toString());
            assertTrue(r.get("ws").asText().matches("^wss?://.+/v1/ws$"), r.toString());
            assertTrue(r.get("http").asText().matches("^https?://[^/]+$"), r.toString());
            if (r.get("name").asText().equals(self)) {
                mine = r;
            }
        }
        assertNotNull(mine, "the answering region is in the list: " + body);
        assertTrue(mine.get("healthy").asBoolean());

        // self is the name connected frames carry, and the listed URLs reach this region.
        try (WsClient c = WsClient.open(mine.get("ws").asText())) {
            c.send("{\"op\":\"connect\",\"token\":\"" + token("disco") + "\"}");
            JsonNode connected = c.awaitOp("connected");
            assertNotNull(connected);
            assertEquals(self, connected.get("region").asText());
            assertAlive(c);
        }
        assertEquals(204, new Http(mine.get("http").asText()).get("/v1/ping", null).status());
    }

    @Test
    void regionsNeedsNoAuthAndIsOpenToAnyOrigin() {
        Http.Reply reply = http.raw("GET /v1/regions HTTP/1.1", "Origin: https://app.example.org");
        assertEquals(200, reply.status(), reply.toString());
        assertEquals("*", reply.header("access-control-allow-origin"));
    }

    @Test
    void pingIs204WithNoBodyAndCorsOpen() {
        Http.Reply reply = http.raw("GET /v1/ping HTTP/1.1", "Origin: https://app.example.org");
        assertEquals(204, reply.status(), reply.toString());
        assertEquals("", reply.body());
        assertEquals("*", reply.header("access-control-allow-origin"));
        // A bad token does not matter: no auth.
        assertEquals(204, http.get("/v1/ping", "not-a-token").status());
    }

    @Test
    void preflightsForThePublicApiAreAnswered() {
        for (String path : List.of("/v1/ping", "/v1/regions", "/v1/poll", "/v1/publish")) {
            Http.Reply reply = http.options(path);
            assertTrue(reply.status() == 204 || reply.status() == 200, path + " -> " + reply);
            assertEquals("*", reply.header("access-control-allow-origin"), path);
            assertTrue(reply.header("access-control-allow-headers").toLowerCase().contains("authorization"), path);
        }
    }

    @Test
    void healthAndReadinessAre200() {
        assertEquals(200, http.get("/healthz", null).status());
        Http.Reply ready = http.get("/readyz", null);
        assertEquals(200, ready.status(), ready.toString());
    }

    @Test
    void metricsArePrometheusText() {
        Http.Reply reply = http.get("/metrics", null);
        assertEquals(200, reply.status());
        assertTrue(reply.header("content-type").startsWith("text/plain"), reply.headers().toString());
        assertTrue(reply.body().contains("# TYPE "), "exposition format");
        assertTrue(reply.body().lines().anyMatch(l -> l.startsWith("meshgate_ws_connections")), "gateway meters");
        for (String line : reply.body().lines().toList()) {
            assertTrue(line.isEmpty() || line.startsWith("#") || line.matches("^[a-zA-Z_:][a-zA-Z0-9_:]*(\\{.*\\})? .+$"),
                    "not a Prometheus sample line: " + line);
        }
    }
}
