package io.meshgate.edge.websocket;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshgate.edge.testing.Http;
import io.meshgate.edge.testing.TestRegion;
import io.meshgate.edge.testing.WsClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static io.meshgate.edge.testing.Proto.assertAck;
import static io.meshgate.edge.testing.Proto.awaitOn;
import static io.meshgate.edge.testing.Proto.channel;
import static io.meshgate.edge.testing.Proto.publish;
import static io.meshgate.edge.testing.Proto.quote;
import static io.meshgate.edge.testing.Proto.sub;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * PROTOCOL.md, Tokens: an edge started in the explicit {@code insecure} mode accepts {@code connect} without a token
 * and allows every channel, on both transports.
 */
class InsecureEdgeTest {
    static TestRegion region;

    @BeforeAll
    static void start() {
        region = TestRegion.nodes(1).insecure().start();
    }

    @AfterAll
    static void stop() {
        region.close();
    }

    @Test
    void connectWithoutATokenIsAcceptedAndEveryChannelIsAllowed() {
        String ch = channel("anything");
        try (WsClient c = WsClient.connect(region.wsUrl(0), null)) {
            c.send(sub(ch));
            assertNotNull(awaitOn(c, ch, "subscribed"));
            assertEquals(1, assertAck(publish(c, ch, "i1", "1"), "i1", ch));
        }
    }

    @Test
    void longPollAndPublishWorkWithoutAuthorization() {
        String ch = channel("anything-http");
        Http http = new Http(region.httpUrl(0));
        Http.Reply ack = http.post("/v1/publish", null, "{\"ch\":" + quote(ch) + ",\"id\":\"h\",\"data\":1}");
        assertEquals(200, ack.status(), ack.toString());
        Http.Reply poll = http.get("/v1/poll?ch=" + ch + "@:0", null);
        assertEquals(200, poll.status(), poll.toString());
        JsonNode msgs = poll.json().get("messages");
        assertEquals(1, msgs.size());
        assertEquals("h", msgs.get(0).get("id").asText());
    }
}
