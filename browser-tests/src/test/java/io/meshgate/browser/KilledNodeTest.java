package io.meshgate.browser;

import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The node a page is connected to dies while two publishers write to its channel: the page itself (its client's
 * outbox must carry its publishes through the outage) and an HTTP publisher in ap-south. The page's client reconnects
 * elsewhere, resumes from its last position, and shows every acknowledged message exactly once, in order. Runs on its
 * own gateway, since it kills a node.
 *
 * <p>How it fails without the client's guarantees: without resume by position the messages sequenced while the page
 * was away are missing (a seq gap); without the outbox the page's own publishes of that time are never acked.
 */
class KilledNodeTest extends OwnGatewayTest {
    private static final Logger LOG = LoggerFactory.getLogger(KilledNodeTest.class);
    private static final int PAGE_MESSAGES = 60;
    private static final int HTTP_MESSAGES = 150;

    @Test
    void thePageResumesElsewhereAndShowsEveryAckedMessageOnceInOrder() {
        String channel = "chat:kill-" + UUID.randomUUID().toString().substring(0, 8);
        DemoPage page = browser.open(gateway.url("eu-west") + "/demo?name=erin&channel=" + channel)
                .awaitConnected().awaitSubscribed();
        try {
            killTheNodeWhilePublishing(page, channel);
        } finally {
            LOG.info("page state events: {}", page.events("state"));
        }
    }

    private void killTheNodeWhilePublishing(DemoPage page, String channel) {
        assertEquals("eu-west-2", page.node(), "eu-west's front reaches eu-west-2, the node this test kills");

        page.js("""
                const [count, everyMs] = arguments;
                let i = 0;
                const timer = setInterval(() => {
                  if (++i > count) { clearInterval(timer); return; }
                  window.meshgateDemo.send('page-' + i).catch(() => {});
                }, everyMs);""", PAGE_MESSAGES, 50);
        try (HttpPublisher http = HttpPublisher.start(gateway.nodeUrl("ap-south-1"), channel, "http-", HTTP_MESSAGES,
                "ap-south", 20)) {
            page.awaitUntil("messages flowing before the kill", () -> page.received().size() >= 20);
            // The browser's network is down while its node dies, so messages are sequenced that only a resume from
            // the page's last position can bring back (and the page's own publishes wait in its outbox).
            gateway.cutOffBrowsers(true);
            gateway.kill("eu-west-2");
            page.awaitUntil("the page noticed", () -> !"connected".equals(page.state()));
            int ackedAtKill = http.acked().size();
            page.awaitUntil("messages published while the page is away", () -> http.acked().size() >= ackedAtKill + 30);
            gateway.cutOffBrowsers(false);
            page.awaitUntil("the page reconnected to another node",
                    () -> "connected".equals(page.state()) && !"eu-west-2".equals(page.node()));
            LOG.info("page reconnected to {} / {} after the kill; {} HTTP messages were acked while it was away",
                    page.region(), page.node(), http.acked().size() - ackedAtKill);

            page.awaitUntil("every HTTP publish acked", http::done);
            page.awaitUntil("every page publish acked", () -> pageAcks(page).size() == PAGE_MESSAGES);
            Map<String, Long> acked = new HashMap<>(http.acked());
            acked.putAll(pageAcks(page));
            try {
                page.awaitUntil("every acked message shown",
                        () -> page.received().stream().map(DemoPage.Received::id).toList().containsAll(acked.keySet()));
            } catch (RuntimeException e) {
                Set<String> shown = new HashSet<>(page.received().stream().map(DemoPage.Received::id).toList());
                Map<String, Long> missing = new java.util.TreeMap<>();
                acked.forEach((id, seq) -> {
                    if (!shown.contains(id)) {
                        missing.put(id, seq);
                    }
                });
                throw new AssertionError("acked but never shown (id=seq): " + missing + "; shown seqs: "
                        + page.received().stream().map(DemoPage.Received::seq).toList() + "; events: "
                        + page.js("return JSON.stringify(window.meshgateDemo.events)"), e);
            }

            List<DemoPage.Received> got = page.received();
            Set<String> ids = new HashSet<>();
            for (int i = 0; i < got.size(); i++) {
                DemoPage.Received m = got.get(i);
                assertEquals(i + 1, m.seq(), "seqs 1, 2, 3... with no gap, repeat or reordering; at " + i + ": " + m);
                assertTrue(ids.add(m.id()), "shown twice: " + m);
                assertEquals(acked.get(m.id()), m.seq(), "shown at the position its ack named: " + m);
            }
            assertEquals(acked.keySet(), ids, "exactly the acknowledged messages");
        }
        List<String> states = page.events("state");
        assertTrue(states.stream().anyMatch(s -> s.startsWith("disconnected")), states.toString());
        assertTrue(states.stream().filter(s -> s.startsWith("connected")).count() >= 2, states.toString());
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Long> pageAcks(DemoPage page) {
        List<Map<String, Object>> acks = (List<Map<String, Object>>) page.js(
                "return window.meshgateDemo.published.filter(p => p.ack).map(p => p.ack);");
        Map<String, Long> out = new HashMap<>();
        acks.forEach(a -> out.put((String) a.get("id"), ((Number) a.get("seq")).longValue()));
        return out;
    }
}
