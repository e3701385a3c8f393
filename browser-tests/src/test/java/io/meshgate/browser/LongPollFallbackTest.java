package io.meshgate.browser;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * WebSocket blocked on the way (every region's front answers an upgrade with 403): the page in the default `auto`
 * mode ends up on long-poll in the same region and chats as before, with messages from other regions too.
 */
class LongPollFallbackTest extends SharedGatewayTest {
    @AfterEach
    void unblock() {
        gateway.blockWebSockets(false);
    }

    @Test
    void withWebSocketBlockedTheSamePageWorksOverLongPoll() {
        String channel = "chat:lp-" + UUID.randomUUID().toString().substring(0, 8);
        gateway.blockWebSockets(true);
        int refusedBefore = gateway.refusedUpgrades();

        DemoPage page = browser.open(gateway.url("eu-west") + "/demo?name=dave&channel=" + channel)
                .awaitConnected().awaitSubscribed();
        assertEquals("longpoll", page.transport());
        assertEquals("eu-west", page.region(), "WebSocket is blocked, the region is fine: it stays");
        assertTrue(gateway.refusedUpgrades() - refusedBefore >= 2,
                "it gave WebSocket up after two refused upgrades, not before: " + (gateway.refusedUpgrades() - refusedBefore));

        page.say("over long-poll");
        DemoPage.Received own = page.awaitMessage("over long-poll");
        try (HttpPublisher elsewhere = HttpPublisher.start(gateway.nodeUrl("us-east-1"), channel, "http-", 1,
                "us-east", 10)) {
            DemoPage.Received other = page.awaitMessage("http-1");
            assertEquals(own.seq() + 1, other.seq());
            assertEquals("us-east", other.sentFrom());
        }
        assertTrue(page.events("state").stream().filter(e -> e.startsWith("connected"))
                .allMatch(e -> e.endsWith("over longpoll")), page.events("state").toString());
    }
}
