package io.meshgate.browser;

import org.junit.jupiter.api.Test;

import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The demo page as documented: two tabs, each from another region's URL, chat and see positions and regions; the
 * transport switch reconnects the chat over the transport picked.
 */
class ChatAcrossTabsTest extends SharedGatewayTest {
    @Test
    void twoTabsChatAndEachShowsTheSameMessageWithItsPositionAndRegions() {
        String channel = "chat:tabs-" + UUID.randomUUID().toString().substring(0, 8);
        DemoPage alice = browser.open(gateway.url("eu-west") + "/demo?name=alice&channel=" + channel)
                .awaitConnected().awaitSubscribed();
        DemoPage bob = browser.openInNewTab(gateway.url("ap-south") + "/demo?name=bob&channel=" + channel)
                .awaitConnected().awaitSubscribed();

        alice.say("hello from alice");
        DemoPage.Received atBob = bob.awaitMessage("hello from alice");
        DemoPage.Received atAlice = alice.awaitMessage("hello from alice");
        assertEquals(atAlice, atBob, "one message, one position, the same everywhere");
        assertEquals("alice", atBob.name());
        assertEquals(alice.region(), atBob.sentFrom(), "the sender put its region in the data");
        assertEquals(bob.region(), atBob.receivedIn());
        String position = atBob.epoch() + ":" + atBob.seq();
        String line = bob.shownLine("hello from alice");
        assertNotNull(line, "the chat list shows the message");
        assertTrue(line.contains(position) && line.contains("alice") && line.contains("from " + alice.region()),
                line);
        assertTrue(alice.events("ack").stream().anyMatch(e -> e.contains(position)),
                "the sender's log shows its ack at the same position: " + alice.events("ack"));

        bob.say("hi alice");
        DemoPage.Received reply = alice.awaitMessage("hi alice");
        assertEquals(atBob.seq() + 1, reply.seq());
        assertEquals("bob", reply.name());
    }

    @Test
    void theTransportSwitchReconnectsTheChatOverTheChosenTransport() {
        String channel = "chat:switch-" + UUID.randomUUID().toString().substring(0, 8);
        DemoPage page = browser.open(gateway.url("eu-west") + "/demo?name=frank&channel=" + channel)
                .awaitConnected().awaitSubscribed();
        assertEquals("websocket", page.transport());

        page.chooseTransport("longpoll");
        page.awaitUntil("reconnected over long-poll", () -> "longpoll".equals(page.transport())
                && "connected".equals(page.state()));
        page.awaitSubscribed();
        page.say("sent over long-poll");
        page.awaitMessage("sent over long-poll");
        assertEquals("longpoll", page.transport());

        page.chooseTransport("websocket");
        page.awaitUntil("back on WebSocket", () -> "websocket".equals(page.transport())
                && "connected".equals(page.state()));
        page.awaitSubscribed();
        page.say("sent over websocket");
        page.awaitMessage("sent over websocket");
        assertEquals("websocket", page.transport());
    }
}
