package io.meshgate.browser;

import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An operator drains the node a page is on while another region publishes to its channel: the node sends the page
 * {@code move} naming another node of the region, the client follows it (a planned move, not a failure), resumes
 * from its last position there, and shows every acknowledged message once and in order. Runs on its own gateway,
 * since a drained node leaves.
 */
class DrainMoveTest extends OwnGatewayTest {
    private static final int HTTP_MESSAGES = 120;

    @Test
    void aDrainedNodesPageFollowsTheMoveAndMissesNothing() throws Exception {
        String channel = "chat:drain-" + UUID.randomUUID().toString().substring(0, 8);
        DemoPage page = browser.open(gateway.url("eu-west") + "/demo?name=frank&channel=" + channel)
                .awaitConnected().awaitSubscribed();
        assertEquals("eu-west-2", page.node(), "eu-west's front reaches eu-west-2, the node this test drains");

        try (HttpPublisher http = HttpPublisher.start(gateway.nodeUrl("ap-south-1"), channel, "http-", HTTP_MESSAGES,
                "ap-south", 20)) {
            page.awaitUntil("messages flowing before the drain", () -> page.received().size() >= 20);
            HttpResponse<String> drain = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                            URI.create(gateway.nodeUrl("eu-west-2") + "/admin/drain"))
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(202, drain.statusCode(), drain.body());

            try {
                page.awaitUntil("the page moved to the region's other node",
                        () -> "connected".equals(page.state()) && "eu-west-1".equals(page.node()));
            } catch (RuntimeException e) {
                throw new AssertionError("the page's events: "
                        + page.js("return JSON.stringify(window.meshgateDemo.events)"), e);
            }
            page.awaitUntil("every HTTP publish acked", http::done);
            Map<String, Long> acked = http.acked();
            page.awaitUntil("every acked message shown",
                    () -> page.received().stream().map(DemoPage.Received::id).toList().containsAll(acked.keySet()));

            List<DemoPage.Received> got = page.received();
            assertEquals(HTTP_MESSAGES, got.size(), "each message once: " + got);
            for (int i = 0; i < got.size(); i++) {
                DemoPage.Received m = got.get(i);
                assertEquals(i + 1, m.seq(), "seqs 1, 2, 3... with no gap, repeat or reordering; at " + i + ": " + m);
                assertEquals(acked.get(m.id()), m.seq(), "shown at the position its ack named: " + m);
            }
        }
        List<String> states = page.events("state");
        assertTrue(states.stream().anyMatch(s -> s.startsWith("disconnected") && s.contains("moved")),
                "the client saw a move, not a failure: " + states);
        assertEquals("eu-west", page.region(), "a move within the region keeps the region: " + states);
    }
}
