package io.meshgate.edge.longpoll;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshgate.edge.server.EdgeSettings;
import io.meshgate.edge.testing.Http;
import io.meshgate.edge.testing.TestRegion;
import io.meshgate.edge.testing.WsClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static io.meshgate.edge.testing.Proto.channel;
import static io.meshgate.edge.testing.Proto.publishAcked;
import static io.meshgate.edge.testing.Proto.token;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * PROTOCOL.md: "holds the request up to wait seconds (default 25, at most 55)". The default and the maximum are
 * checked on the settings; their effect is checked on an edge configured with a 1 s default and a 2 s maximum, so
 * the test needs no long waits: a poll whose wait were not capped would outlive the HTTP time-out.
 */
class LongPollWaitTest {
    static TestRegion region;
    static Http http;
    static String all;

    @BeforeAll
    static void start() {
        region = TestRegion.nodes(1).edge(s -> s.withPollWait(1, 2)).start();
        http = new Http(region.httpUrl(0));
        all = token("waiter");
    }

    @AfterAll
    static void stop() {
        region.close();
    }

    @Test
    void theDefaultWaitIs25SecondsAndTheMaximum55() {
        EdgeSettings defaults = EdgeSettings.defaults("r", "n", "127.0.0.1", 0);
        assertEquals(25, defaults.pollDefaultWaitS());
        assertEquals(55, defaults.pollMaxWaitS());
    }

    private static String positionedAtHead(String ch) {
        try (WsClient pub = WsClient.connect(region.wsUrl(0), all)) {
            JsonNode ack = publishAcked(pub, ch, "m1", "1");
            return "ch=" + URLEncoder.encode(ch + "@" + ack.get("epoch").asText() + ":1", StandardCharsets.UTF_8);
        }
    }

    @Test
    void withoutWaitThePollIsHeldForTheDefaultAndAnsweredEmptyWithHeads() {
        String ch = channel("default-wait");
        Http.Reply reply = http.get("/v1/poll?" + positionedAtHead(ch), all, Duration.ofSeconds(20));
        assertEquals(200, reply.status(), reply.toString());
        assertEquals(0, reply.json().get("messages").size());
        assertEquals(1, reply.json().get("heads").get(ch).get("seq").asLong());
    }

    @Test
    void aWaitAboveTheMaximumIsCappedToIt() {
        String ch = channel("capped-wait");
        String position = positionedAtHead(ch);
        for (String wait : new String[] {"3600", "99999999999999999999"}) {
            Http.Reply reply = http.get("/v1/poll?" + position + "&wait=" + wait, all, Duration.ofSeconds(20));
            assertEquals(200, reply.status(), "wait=" + wait + " -> " + reply);
            assertEquals(0, reply.json().get("messages").size());
            assertEquals(1, reply.json().get("heads").get(ch).get("seq").asLong());
        }
    }
}
