package io.meshgate.browser;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The demo page shows the mesh: two tabs opened from one region's URL are pinned to two other regions with
 * {@code ?region=}, a message shows the region it was sent from, the channel's home and its publish→deliver
 * latency, a new tab starts with the channel's history, and {@code /} leads to the page.
 */
class MeshDemoPageTest extends SharedGatewayTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void pinnedTabsShowOriginHomeLatencyAndHistory() throws Exception {
        String channel = "chat:mesh-" + UUID.randomUUID().toString().substring(0, 8);
        try (HttpPublisher before = HttpPublisher.start(gateway.url("us-east"), channel, "early-", 3, "us-east", 10)) {
            await("3 messages before any tab opens").atMost(DemoPage.PATIENCE).until(before::done);
        }
        String home = homeOf(channel);
        assertTrue(List.of("us-east", "eu-west", "ap-south").contains(home), home);

        // Both tabs come from us-east's URL; ?region= decides where each connects, not the lowest RTT.
        DemoPage alice = browser.open(gateway.url("us-east") + "/demo?region=ap-south&name=alice&channel=" + channel)
                .awaitConnected().awaitSubscribed();
        DemoPage bob = browser.openInNewTab(gateway.url("us-east") + "/demo?region=eu-west&name=bob&channel="
                + channel).awaitConnected().awaitSubscribed();
        assertEquals("ap-south", alice.region(), "pinned, although eu-west answers pings fastest");
        assertEquals("eu-west", bob.region());

        for (DemoPage tab : List.of(alice, bob)) {
            for (int i = 1; i <= 3; i++) {
                tab.awaitMessage("early-" + i);
                assertEquals(Boolean.TRUE, tab.meshView("early-" + i).get("history"), "a new tab shows history");
            }
        }

        alice.say("hello across the mesh");
        bob.awaitMessage("hello across the mesh");
        bob.awaitUntil("bob's page knows the channel's home", () -> home.equals(
                bob.meshView("hello across the mesh").get("home")));
        Map<String, Object> seen = bob.meshView("hello across the mesh");
        assertEquals("ap-south", seen.get("origin"), "sent from alice's pinned region");
        assertEquals(Boolean.FALSE, seen.get("history"));
        Number latency = (Number) seen.get("latencyMs");
        assertNotNull(latency, "a live message shows its publish→deliver latency");
        assertTrue(latency.longValue() >= 0 && latency.longValue() < DemoPage.PATIENCE.toMillis(), "" + latency);
        bob.awaitUntil("the line shows origin, home and latency", () -> {
            String line = bob.shownLine("hello across the mesh");
            return line != null && line.contains("from ap-south") && line.contains("home " + home)
                    && line.matches(".*\\b\\d+ ms\\b.*");
        });

        DemoPage root = browser.openInNewTab(gateway.url("eu-west") + "/?region=us-east&channel=" + channel)
                .awaitConnected();
        assertEquals("us-east", root.region(), "/ redirected to the demo page with its query");
    }

    /** The channel's home as any edge answers it. */
    private static String homeOf(String channel) throws Exception {
        HttpResponse<String> reply = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(gateway.url("eu-west") + "/demo/home?ch=" + channel))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, reply.statusCode(), reply.body());
        return JSON.readTree(reply.body()).get("home").asText();
    }
}
