package io.meshgate.regions.mesh;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meshgate.edge.server.EdgeNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code /admin/faults} on a real three-region mesh (one node each, real gRPC links over 127.0.0.1): latency
 * injected on us-east's link to eu-west raises the RTT us-east measures with its heartbeats (as {@code /admin/mesh}
 * and {@code /metrics} show it), the status page's picture ({@code /status/data}) lists the fault with the mesh's
 * regions and links, and clearing the fault brings it all back; bad input changes nothing. On the same mesh, an
 * operator's pin of a channel's home goes through the region's mesh leader and back out ({@code /admin/pin}).
 */
class FaultInjectionTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static MeshCluster mesh;

    @BeforeAll
    static void start() {
        mesh = new MeshCluster(1, "admin:\n  faults: true\n");
    }

    @AfterAll
    static void stop() {
        if (mesh != null) {
            mesh.close();
        }
    }

    @Test
    void injectedLatencyRaisesTheMeasuredRttAndClearingRestoresIt() throws Exception {
        EdgeNode usEast = mesh.node("us-east", 0);
        String base = usEast.httpUrl();
        // Loopback RTT, once the smoothing has forgotten the first samples of a loaded start.
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> rttMs(base) >= 0 && rttMs(base) < 100);

        HttpResponse<String> bad = send(base, "POST", "/admin/faults?peer=eu-west&drop=2");
        assertEquals(400, bad.statusCode(), bad.body());
        assertTrue(bad.body().contains("drop must be a probability"), bad.body());
        HttpResponse<String> unknown = send(base, "POST", "/admin/faults?peer=mars&latencyMs=10");
        assertEquals(400, unknown.statusCode(), unknown.body());
        assertEquals(0, JSON.readTree(send(base, "GET", "/admin/faults").body()).path("faults").size(),
                "refused calls changed nothing");

        HttpResponse<String> set = send(base, "POST",
                "/admin/faults?peer=eu-west&latencyMs=300&jitterMs=10&reason=chaos+test");
        assertEquals(200, set.statusCode(), set.body());
        assertEquals(300, JSON.readTree(set.body()).path("faults").path("eu-west").path("latencyMs").asLong());
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> rttMs(base) >= 250);
        assertTrue(mesh.allLinksUp(), "a slow link is still up (300 ms is inside a heartbeat interval)");
        String metrics = send(base, "GET", "/metrics").body();
        assertTrue(metrics.lines().anyMatch(l -> l.startsWith("meshgate_mesh_faults_active{") && l.endsWith(" 1.0")),
                "the fault shows in /metrics");
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200))
                .until(() -> status(base).path("faults").path("eu-west").path("latencyMs").asLong() == 300);
        JsonNode picture = status(base);
        assertEquals("[\"ap-south\",\"eu-west\",\"us-east\"]", picture.path("regions").toString(), picture.toString());
        assertEquals(10, picture.path("faults").path("eu-west").path("jitterMs").asLong(), picture.toString());
        assertTrue(picture.path("links").has("eu-west") && picture.path("links").has("ap-south"), picture.toString());
        assertTrue(picture.path("rehomes").isArray(), picture.toString());

        HttpResponse<String> cleared = send(base, "DELETE", "/admin/faults?peer=eu-west&reason=done");
        assertEquals(200, cleared.statusCode(), cleared.body());
        assertEquals(0, JSON.readTree(cleared.body()).path("faults").size());
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200))
                .until(() -> status(base).path("faults").size() == 0);
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> rttMs(base) < 100);
    }

    @Test
    void anOperatorPinsAndUnpinsAChannelThroughTheMeshLeader() throws Exception {
        String base = mesh.node("us-east", 0).httpUrl();
        HttpResponse<String> incomplete = send(base, "POST", "/admin/pin?channel=ops-pin");
        assertEquals(400, incomplete.statusCode(), incomplete.body());
        HttpResponse<String> pinned = send(base, "POST", "/admin/pin?channel=ops-pin&region=ap-south&reason=test");
        assertEquals(200, pinned.statusCode(), pinned.body());
        JsonNode table = JSON.readTree(pinned.body());
        assertTrue(table.path("changed").asBoolean(), pinned.body());
        assertEquals("ap-south", table.path("pins").path("ops-pin").asText(), pinned.body());
        HttpResponse<String> unpinned = send(base, "POST", "/admin/unpin?channel=ops-pin&reason=test");
        assertEquals(200, unpinned.statusCode(), unpinned.body());
        assertTrue(JSON.readTree(unpinned.body()).path("pins").isEmpty(), unpinned.body());
    }

    /** The RTT us-east measures to eu-west, from {@code /admin/mesh}; -1 while unknown. */
    private static double rttMs(String base) throws Exception {
        JsonNode rtt = JSON.readTree(send(base, "GET", "/admin/mesh").body()).path("rttMs").path("us-east")
                .path("eu-west");
        return rtt.isNumber() ? rtt.asDouble() : -1;
    }

    /** The status page's latest picture of this node ({@code /status/data}, let in from loopback). */
    private static JsonNode status(String base) throws Exception {
        return JSON.readTree(send(base, "GET", "/status/data").body());
    }

    private static HttpResponse<String> send(String base, String method, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10))
                .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }
}
