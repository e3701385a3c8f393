package io.meshgate.edge.websocket;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshgate.edge.testing.Http;
import io.meshgate.edge.testing.TestRegion;
import io.meshgate.edge.testing.WsClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static io.meshgate.edge.testing.Proto.assertNack;
import static org.awaitility.Awaitility.await;
import static io.meshgate.edge.testing.Proto.channel;
import static io.meshgate.edge.testing.Proto.token;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * A lone UTF-16 surrogate escape in {@code id} or {@code data} (issue 11, item 7) is refused with
 * {@code bad_request}: UTF-8 cannot carry it, and encoding would silently turn it into {@code ?}. A surrogate pair
 * (an emoji) is fine.
 */
class WsSurrogateTest {
    private static TestRegion region;

    @BeforeAll
    static void start() {
        region = TestRegion.nodes(1).start();
    }

    @AfterAll
    static void stop() {
        region.close();
    }

    @Test
    void loneSurrogatesInIdOrDataAreBadRequestsAndPairsAreDelivered() {
        String ch = channel("utf16");
        try (WsClient c = WsClient.connect(region.wsUrl(0), token("surrogates"))) {
            c.send("{\"op\":\"pub\",\"ch\":\"" + ch + "\",\"id\":\"x\\ud800\",\"data\":1}");
            // The nack echoes the id as sent (escaped), so a client can tell which publish was refused.
            assertNack(c.awaitOp("nack"), "x\ud800", ch, "bad_request");
            c.send("{\"op\":\"pub\",\"ch\":\"" + ch + "\",\"id\":\"lone-low\",\"data\":{\"t\":\"\\udc00!\"}}");
            assertNack(c.awaitOp("nack"), "lone-low", ch, "bad_request");
            c.send("{\"op\":\"pub\",\"ch\":\"" + ch + "\",\"id\":\"lone-key\",\"data\":{\"\\ud83d\":1}}");
            JsonNode refused = c.await(f -> f.path("op").asText().equals("nack")
                    || f.path("op").asText().equals("error"));
            assertNotNull(refused, "received " + c.received());
            assertEquals("bad_request", refused.path("code").asText(), refused.toString());

            c.send("{\"op\":\"sub\",\"ch\":\"" + ch + "\",\"from\":{\"epoch\":\"\",\"seq\":0}}");
            assertNotNull(c.awaitOp("subscribed"));
            c.send("{\"op\":\"pub\",\"ch\":\"" + ch + "\",\"id\":\"pair\",\"data\":\"\\ud83d\\ude00\"}");
            JsonNode ack = c.awaitOp("ack");
            assertNotNull(ack, "received " + c.received());
            assertEquals(1, ack.path("seq").asLong(), "the refused publishes used no seq: " + ack);
            // The msg may come before the ack; await() skips what it does not match, so look at everything.
            await().atMost(java.time.Duration.ofSeconds(20)).until(() -> c.received().stream()
                    .anyMatch(f -> f.path("op").asText().equals("msg")));
            JsonNode msg = c.received().stream().filter(f -> f.path("op").asText().equals("msg")).findFirst()
                    .orElseThrow();
            assertEquals("\ud83d\ude00", msg.path("data").asText());
            assertFalse(c.isClosed());
        }
        Http.Reply http = new Http(region.httpUrl(0)).post("/v1/publish", token("surrogates"),
                "{\"ch\":\"" + ch + "\",\"id\":\"h\",\"data\":\"\\udfff\"}");
        assertEquals(400, http.status(), http.toString());
        assertNack(http.json(), "h", ch, "bad_request");
    }
}
