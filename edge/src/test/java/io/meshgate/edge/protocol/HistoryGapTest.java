package io.meshgate.edge.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshgate.edge.testing.Http;
import io.meshgate.edge.testing.TestRegion;
import io.meshgate.edge.testing.WsClient;
import io.meshgate.relay.history.HistoryLimits;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;

import static io.meshgate.edge.testing.Proto.assertMessageShape;
import static io.meshgate.edge.testing.Proto.awaitOn;
import static io.meshgate.edge.testing.Proto.channel;
import static io.meshgate.edge.testing.Proto.fields;
import static io.meshgate.edge.testing.Proto.op;
import static io.meshgate.edge.testing.Proto.publishAcked;
import static io.meshgate.edge.testing.Proto.publishMany;
import static io.meshgate.edge.testing.Proto.sub;
import static io.meshgate.edge.testing.Proto.token;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * PROTOCOL.md G5 and the resume rules with a history of only {@value #HELD} messages per channel: a resume older
 * than history gets {@code gap} first and continues after it with {@code recovered:false}, over WebSocket and
 * long-poll alike; G4 outlives history (at least 5 minutes).
 */
class HistoryGapTest {
    private static final int HELD = 5;

    static TestRegion region;
    static String all;

    @BeforeAll
    static void start() {
        // The smallest history HistoryLimits allows for bytes and dedup; 5 messages is what bites here.
        region = TestRegion.nodes(1).history(new HistoryLimits(HELD, 600_000, 64 * 1024, 300_000, 10_000)).start();
        all = token("gaps");
    }

    @AfterAll
    static void stop() {
        region.close();
    }

    private static WsClient client() {
        return WsClient.connect(region.wsUrl(0), all);
    }

    private static List<JsonNode> framesOf(WsClient c, String ch) {
        return c.received().stream().filter(f -> ch.equals(f.path("ch").asText(null))).toList();
    }

    @Test
    void aResumeOlderThanHistoryGetsAGapThenTheRestThenLiveAndIsNotRecovered() {
        String ch = channel("gap");
        try (WsClient pub = client(); WsClient sub = client()) {
            String epoch = publishMany(pub, ch, "m", 10).get(0).get("epoch").asText(); // history holds 6..10
            sub.send(sub(ch, epoch, 2));
            JsonNode subscribed = awaitOn(sub, ch, "subscribed");
            assertEquals(10, subscribed.get("seq").asLong());
            assertFalse(subscribed.get("recovered").asBoolean(), subscribed.toString());
            JsonNode gap = awaitOn(sub, ch, "gap");
            assertEquals(Set.of("op", "ch", "from", "to"), fields(gap));
            assertEquals(3, gap.get("from").asLong());
            assertEquals(5, gap.get("to").asLong());
            for (long seq = 6; seq <= 10; seq++) {
                JsonNode msg = awaitOn(sub, ch, "msg");
                assertMessageShape(msg);
                assertEquals(seq, msg.get("seq").asLong());
            }
            publishAcked(pub, ch, "live", "1");
            assertEquals(11, awaitOn(sub, ch, "msg").get("seq").asLong());
            assertEquals(List.of("subscribed", "gap", "msg", "msg", "msg", "msg", "msg", "msg"),
                    framesOf(sub, ch).stream().map(f -> op(f)).toList(), "the gap comes first, nothing is skipped");
        }
    }

    @Test
    void aResumeFromZeroOfATrimmedChannelGetsTheGapFromOne() {
        String ch = channel("gap-zero");
        try (WsClient pub = client(); WsClient sub = client()) {
            publishMany(pub, ch, "m", 8);
            sub.send(sub(ch, "", 0));
            assertFalse(awaitOn(sub, ch, "subscribed").get("recovered").asBoolean());
            JsonNode gap = awaitOn(sub, ch, "gap");
            assertEquals(1, gap.get("from").asLong());
            assertEquals(3, gap.get("to").asLong());
            assertEquals(4, awaitOn(sub, ch, "msg").get("seq").asLong());
        }
    }

    @Test
    void aResumeWithinHistoryHasNoGapAndIsRecovered() {
        String ch = channel("no-gap");
        try (WsClient pub = client(); WsClient sub = client()) {
            publishMany(pub, ch, "m", 10); // history holds 6..10; resuming after 5 misses nothing
            sub.send(sub(ch, "", 5));
            assertTrue(awaitOn(sub, ch, "subscribed").get("recovered").asBoolean());
            for (long seq = 6; seq <= 10; seq++) {
                assertEquals(seq, awaitOn(sub, ch, "msg").get("seq").asLong());
            }
            assertFalse(sub.received().stream().anyMatch(f -> op(f).equals("gap")));
        }
    }

    @Test
    void aLiveSubscriberThatFallsBehindNothingStillGetsEverySeqOnce() {
        // The history bound must not make a live subscriber lose messages it was already following.
        String ch = channel("live-follow");
        try (WsClient pub = client(); WsClient sub = client()) {
            sub.send(sub(ch));
            awaitOn(sub, ch, "subscribed");
            publishMany(pub, ch, "m", 3 * HELD);
            for (long seq = 1; seq <= 3 * HELD; seq++) {
                assertEquals(seq, awaitOn(sub, ch, "msg").get("seq").asLong());
            }
            assertFalse(sub.received().stream().anyMatch(f -> op(f).equals("gap")));
        }
    }

    @Test
    void longPollReportsTheGapAndContinuesContiguouslyAfterIt() {
        String ch = channel("lp-gap");
        Http http = new Http(region.httpUrl(0));
        try (WsClient pub = client()) {
            String epoch = publishMany(pub, ch, "m", 10).get(0).get("epoch").asText();
            String query = "ch=" + URLEncoder.encode(ch + "@" + epoch + ":2", StandardCharsets.UTF_8) + "&wait=30";
            Http.Reply reply = http.get("/v1/poll?" + query, all);
            assertEquals(200, reply.status(), reply.toString());
            JsonNode body = reply.json();
            assertEquals(1, body.get("gaps").size(), body.toString());
            JsonNode gap = body.get("gaps").get(0);
            assertEquals(Set.of("op", "ch", "from", "to"), fields(gap));
            assertEquals("gap", gap.get("op").asText());
            assertEquals(ch, gap.get("ch").asText());
            assertEquals(3, gap.get("from").asLong());
            assertEquals(5, gap.get("to").asLong());
            long expected = 6;
            for (JsonNode m : body.get("messages")) {
                assertEquals(expected++, m.get("seq").asLong(), body.toString());
            }
            assertEquals(11, expected);
            assertEquals(10, body.get("heads").get(ch).get("seq").asLong());
        }
    }

    @Test
    void sameIdStillReturnsTheOriginalAckAfterItsMessageLeftHistory() {
        String ch = channel("g4-old");
        try (WsClient pub = client(); WsClient sub = client()) {
            JsonNode original = publishAcked(pub, ch, "early", "1");
            publishMany(pub, ch, "m", 2 * HELD); // "early" is gone from history
            sub.send(sub(ch));
            awaitOn(sub, ch, "subscribed");
            JsonNode again = publishAcked(pub, ch, "early", "2");
            assertEquals(original.get("seq"), again.get("seq"));
            assertEquals(original.get("epoch"), again.get("epoch"));
            JsonNode marker = publishAcked(pub, ch, "marker", "3");
            assertEquals(2 * HELD + 2, marker.get("seq").asLong(), "the repeat created no message");
            assertEquals("marker", awaitOn(sub, ch, "msg").get("id").asText(), "the repeat was not delivered");
        }
    }
}
