package io.meshgate.edge.websocket;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshgate.edge.testing.TestRegion;
import io.meshgate.edge.testing.WsClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

import static io.meshgate.edge.testing.Proto.assertAlive;
import static io.meshgate.edge.testing.Proto.assertAllErrorsHaveReasons;
import static io.meshgate.edge.testing.Proto.assertError;
import static io.meshgate.edge.testing.Proto.assertMessageShape;
import static io.meshgate.edge.testing.Proto.awaitOn;
import static io.meshgate.edge.testing.Proto.awaitOp;
import static io.meshgate.edge.testing.Proto.channel;
import static io.meshgate.edge.testing.Proto.fields;
import static io.meshgate.edge.testing.Proto.op;
import static io.meshgate.edge.testing.Proto.pub;
import static io.meshgate.edge.testing.Proto.publishAcked;
import static io.meshgate.edge.testing.Proto.publishMany;
import static io.meshgate.edge.testing.Proto.quote;
import static io.meshgate.edge.testing.Proto.sub;
import static io.meshgate.edge.testing.Proto.token;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * PROTOCOL.md, WebSocket steps 2 and 4: {@code sub} live and with {@code from}, {@code subscribed} before any
 * message, resume in order, forbidden and bad channels, {@code unsub}. Gaps (history too short) are in
 * {@code io.meshgate.edge.protocol.HistoryGapTest}, which needs a small history.
 */
class WsSubscribeTest {
    static TestRegion region;
    static String all;

    @BeforeAll
    static void start() {
        region = TestRegion.nodes(1).start();
        all = token("subscriber");
    }

    @AfterAll
    static void stop() {
        region.close();
    }

    private static WsClient client() {
        return WsClient.connect(region.wsUrl(0), all);
    }

    private static void assertSubscribed(JsonNode subscribed, String ch, String epoch, long head) {
        assertEquals(Set.of("op", "ch", "epoch", "seq", "recovered"), fields(subscribed), subscribed.toString());
        assertEquals(ch, subscribed.get("ch").asText());
        assertTrue(subscribed.get("epoch").isTextual() && !subscribed.get("epoch").asText().isEmpty());
        if (epoch != null) {
            assertEquals(epoch, subscribed.get("epoch").asText(), "epoch of " + subscribed);
        }
        assertTrue(subscribed.get("seq").isIntegralNumber());
        assertEquals(head, subscribed.get("seq").asLong(), "head in " + subscribed);
        assertTrue(subscribed.get("recovered").isBoolean(), "recovered of " + subscribed);
    }

    /** The frames of one channel, in arrival order. */
    private static List<JsonNode> framesOf(WsClient client, String ch) {
        return client.received().stream().filter(f -> ch.equals(f.path("ch").asText(null))).toList();
    }

    @Test
    void liveSubscribeToAnEmptyChannelReportsSeqZeroAndTheEpochMessagesThenCarry() {
        String ch = channel("empty");
        try (WsClient sub = client(); WsClient pub = client()) {
            sub.send(sub(ch));
            JsonNode subscribed = awaitOn(sub, ch, "subscribed");
            assertSubscribed(subscribed, ch, null, 0);
            JsonNode ack = publishAcked(pub, ch, "first", "{\"a\":1}");
            assertEquals(1, ack.get("seq").asLong());
            assertEquals(subscribed.get("epoch").asText(), ack.get("epoch").asText());
            JsonNode msg = awaitOn(sub, ch, "msg");
            assertMessageShape(msg);
            assertEquals(1, msg.get("seq").asLong());
            assertEquals(subscribed.get("epoch").asText(), msg.get("epoch").asText());
        }
    }

    @Test
    void liveSubscribeReportsTheHeadAndDeliversOnlyLaterMessages() {
        String ch = channel("live");
        try (WsClient sub = client(); WsClient pub = client()) {
            List<JsonNode> acks = publishMany(pub, ch, "before", 3);
            String epoch = acks.get(0).get("epoch").asText();
            sub.send(sub(ch));
            assertSubscribed(awaitOn(sub, ch, "subscribed"), ch, epoch, 3);
            publishAcked(pub, ch, "after", "\"x\"");
            JsonNode msg = awaitOn(sub, ch, "msg");
            assertEquals(4, msg.get("seq").asLong());
            assertEquals("after", msg.get("id").asText());
            // Nothing of the channel came between subscribed and this message (no replay of 1..3).
            List<JsonNode> frames = framesOf(sub, ch);
            assertEquals(List.of("subscribed", "msg"), frames.stream().map(f -> op(f)).toList());
        }
    }

    @Test
    void subscribedComesBeforeAnyMessageOfTheChannelEvenUnderConcurrentPublishing() throws Exception {
        String ch = channel("race");
        AtomicBoolean stop = new AtomicBoolean();
        try (WsClient pub = client()) {
            publishAcked(pub, ch, "seed", "0");
            CompletableFuture<Void> flood = CompletableFuture.runAsync(() -> {
                for (int i = 0; i < 400 && !stop.get(); i++) {
                    pub.send(pub(ch, "flood-" + i, Integer.toString(i)));
                }
            });
            try (WsClient live = client(); WsClient resume = client(); WsClient fromZero = client()) {
                live.send(sub(ch));
                resume.send(sub(ch, "", 1));
                fromZero.send(sub(ch, "", 0));
                for (WsClient c : List.of(live, resume, fromZero)) {
                    JsonNode subscribed = awaitOn(c, ch, "subscribed");
                    long head = subscribed.get("seq").asLong();
                    try (WsClient marker = client()) {
                        publishAcked(marker, ch, "marker-" + System.identityHashCode(c), "1");
                    }
                    // Wait until a message after the head was seen, then check the order of everything so far.
                    JsonNode after = c.await(f -> op(f).equals("msg") && f.get("seq").asLong() > head);
                    assertNotNull(after, "no message after the head; received " + c.received());
                    List<JsonNode> frames = framesOf(c, ch);
                    assertEquals("subscribed", op(frames.get(0)), "first frame of the channel: " + frames.get(0));
                    assertStrictlyIncreasing(frames.subList(1, frames.size()));
                }
            } finally {
                stop.set(true);
                flood.get();
            }
        }
    }

    private static void assertStrictlyIncreasing(List<JsonNode> msgs) {
        long last = -1;
        for (JsonNode m : msgs) {
            assertEquals("msg", op(m), m.toString());
            long seq = m.get("seq").asLong();
            if (last >= 0) {
                assertEquals(last + 1, seq, "seqs must follow each other without holes or repeats");
            }
            last = seq;
        }
    }

    @Test
    void resumeSendsEveryLaterMessageInOrderThenLiveOnesAndIsRecovered() {
        String ch = channel("resume");
        try (WsClient pub = client(); WsClient sub = client()) {
            List<JsonNode> acks = publishMany(pub, ch, "m", 5);
            String epoch = acks.get(0).get("epoch").asText();
            sub.send(sub(ch, epoch, 2));
            JsonNode subscribed = awaitOn(sub, ch, "subscribed");
            assertSubscribed(subscribed, ch, epoch, 5);
            assertTrue(subscribed.get("recovered").asBoolean(), subscribed.toString());
            for (long seq = 3; seq <= 5; seq++) {
                JsonNode msg = awaitOn(sub, ch, "msg");
                assertMessageShape(msg);
                assertEquals(seq, msg.get("seq").asLong());
                assertEquals("m-" + seq, msg.get("id").asText());
                assertEquals(seq, msg.get("data").get("n").asLong());
                assertEquals(epoch, msg.get("epoch").asText());
            }
            publishAcked(pub, ch, "live", "true");
            JsonNode live = awaitOn(sub, ch, "msg");
            assertEquals(6, live.get("seq").asLong());
            assertEquals("live", live.get("id").asText());
            List<String> ops = framesOf(sub, ch).stream().map(f -> op(f)).toList();
            assertEquals(List.of("subscribed", "msg", "msg", "msg", "msg"), ops);
        }
    }

    @Test
    void aFromWithAnUnknownEpochIsResolvedBySeqAlone() {
        String ch = channel("epochless");
        try (WsClient pub = client(); WsClient unknown = client(); WsClient missing = client()) {
            publishMany(pub, ch, "m", 4);
            unknown.send(sub(ch, "no-such-epoch", 2));
            missing.send("{\"op\":\"sub\",\"ch\":" + quote(ch) + ",\"from\":{\"seq\":2}}");
            for (WsClient c : List.of(unknown, missing)) {
                JsonNode subscribed = awaitOn(c, ch, "subscribed");
                assertEquals(4, subscribed.get("seq").asLong());
                assertTrue(subscribed.get("recovered").asBoolean(), subscribed.toString());
                assertEquals(3, awaitOn(c, ch, "msg").get("seq").asLong());
                assertEquals(4, awaitOn(c, ch, "msg").get("seq").asLong());
            }
        }
    }

    @Test
    void resumeFromTheHeadSendsNothingOldAndIsRecovered() {
        String ch = channel("at-head");
        try (WsClient pub = client(); WsClient sub = client()) {
            List<JsonNode> acks = publishMany(pub, ch, "m", 3);
            sub.send(sub(ch, acks.get(2).get("epoch").asText(), 3));
            JsonNode subscribed = awaitOn(sub, ch, "subscribed");
            assertEquals(3, subscribed.get("seq").asLong());
            assertTrue(subscribed.get("recovered").asBoolean());
            publishAcked(pub, ch, "next", "null");
            assertEquals(4, awaitOn(sub, ch, "msg").get("seq").asLong());
            assertEquals(List.of("subscribed", "msg"), framesOf(sub, ch).stream().map(f -> op(f)).toList());
        }
    }

    @Test
    void resumeFromZeroReplaysTheWholeChannel() {
        String ch = channel("from-zero");
        try (WsClient pub = client(); WsClient sub = client()) {
            publishMany(pub, ch, "m", 3);
            sub.send(sub(ch, "", 0));
            JsonNode subscribed = awaitOn(sub, ch, "subscribed");
            assertTrue(subscribed.get("recovered").asBoolean());
            for (long seq = 1; seq <= 3; seq++) {
                assertEquals(seq, awaitOn(sub, ch, "msg").get("seq").asLong());
            }
        }
    }

    @Test
    void aLongResumeArrivesCompleteAndInOrderThenContinuesLive() {
        String ch = channel("long");
        int count = 450; // more than two pages of catch-up
        try (WsClient pub = client(); WsClient sub = client()) {
            publishMany(pub, ch, "m", count);
            sub.send(sub(ch, "", 0));
            assertTrue(awaitOn(sub, ch, "subscribed").get("recovered").asBoolean());
            publishAcked(pub, ch, "live", "1");
            JsonNode live = sub.await(f -> op(f).equals("msg") && f.get("id").asText().equals("live"));
            assertNotNull(live, "no live message after the resume");
            List<JsonNode> msgs = framesOf(sub, ch).stream().filter(f -> op(f).equals("msg")).toList();
            assertEquals(count + 1, msgs.size());
            for (int i = 0; i < msgs.size(); i++) {
                assertEquals(i + 1, msgs.get(i).get("seq").asLong());
            }
        }
    }

    @Test
    void subscribingToAChannelTheTokenDoesNotAllowIsForbidden() {
        String allowed = channel("room");
        String other = channel("secret");
        String t = token("limited", List.of("room:*"), List.of("room:*"));
        try (WsClient c = WsClient.connect(region.wsUrl(0), t)) {
            c.send(sub(other));
            JsonNode error = awaitOp(c, "error");
            assertError(error, "forbidden");
            assertEquals(other, error.get("ch").asText());
            // The connection stays usable, and the pattern allows its own channels.
            c.send(sub(allowed));
            assertNotNull(awaitOn(c, allowed, "subscribed"));
            assertFalse(c.received().stream().anyMatch(f -> other.equals(f.path("ch").asText(null))
                    && op(f).equals("subscribed")));
        }
    }

    @Test
    void badChannelNamesAreRejectedWithBadChannel() {
        // Bad channels count as bad frames (ten a minute close the connection), so spread them over connections.
        List<String> bad = List.of("\"has space\"", "\"\"", quote("x".repeat(129)), "\"caf\u00e9\"",
                "\"slash/no\"", "\"line\\nbreak\"", "\"trailing\\n\"", "42", "null", "[\"a\"]", "{}");
        for (int from = 0; from < bad.size(); from += 5) {
            try (WsClient c = client()) {
                for (String ch : bad.subList(from, Math.min(bad.size(), from + 5))) {
                    c.send("{\"op\":\"sub\",\"ch\":" + ch + "}");
                    assertError(awaitOp(c, "error"), "bad_channel");
                }
                c.send("{\"op\":\"sub\"}");
                assertError(awaitOp(c, "error"), "bad_channel");
                assertAlive(c);
            }
        }
    }

    @Test
    void theLongestAndOddestValidNamesAreAccepted() {
        try (WsClient c = client()) {
            String longest = "L".repeat(128);
            String odd = "A-z_0.9:" + System.nanoTime();
            for (String ch : List.of(longest, odd)) {
                c.send(sub(ch));
                assertNotNull(awaitOn(c, ch, "subscribed"));
            }
        }
    }

    @Test
    void aMalformedFromIsBadRequest() {
        String ch = channel("bad-from");
        try (WsClient c = client()) {
            for (String from : List.of("\"abc\"", "{\"seq\":-1}", "{\"seq\":\"3\"}", "{\"epoch\":\"e\"}",
                    "{\"seq\":1.5}", "{\"epoch\":7,\"seq\":1}", "5")) {
                c.send("{\"op\":\"sub\",\"ch\":" + quote(ch) + ",\"from\":" + from + "}");
                JsonNode error = awaitOp(c, "error");
                assertError(error, "bad_request");
            }
            // None of them subscribed.
            assertFalse(c.received().stream().anyMatch(f -> op(f).equals("subscribed")));
            c.send(sub(ch));
            assertNotNull(awaitOn(c, ch, "subscribed"));
        }
    }

    @Test
    void unsubscribeIsConfirmedAndStopsDelivery() {
        String ch = channel("unsub");
        try (WsClient sub = client(); WsClient pub = client()) {
            sub.send(sub(ch));
            awaitOn(sub, ch, "subscribed");
            publishAcked(pub, ch, "one", "1");
            assertEquals(1, awaitOn(sub, ch, "msg").get("seq").asLong());

            sub.send("{\"op\":\"unsub\",\"ch\":" + quote(ch) + "}");
            JsonNode unsubscribed = awaitOn(sub, ch, "unsubscribed");
            assertEquals(Set.of("op", "ch"), fields(unsubscribed));

            publishAcked(pub, ch, "two", "2");
            // Marker: subscribe again (live); the next message of the channel must be the one after "two".
            sub.send(sub(ch));
            JsonNode again = awaitOn(sub, ch, "subscribed");
            assertEquals(2, again.get("seq").asLong());
            publishAcked(pub, ch, "three", "3");
            assertEquals("three", awaitOn(sub, ch, "msg").get("id").asText());
            List<String> ops = framesOf(sub, ch).stream().map(f -> op(f) + ":" + f.path("id").asText("")).toList();
            assertEquals(List.of("subscribed:", "msg:one", "unsubscribed:", "subscribed:", "msg:three"), ops);
        }
    }

    @Test
    void unsubscribingAChannelNotSubscribedIsStillConfirmed() {
        String ch = channel("never");
        try (WsClient c = client()) {
            c.send("{\"op\":\"unsub\",\"ch\":" + quote(ch) + "}");
            assertNotNull(awaitOn(c, ch, "unsubscribed"));
            c.send("{\"op\":\"unsub\",\"ch\":\"bad name\"}");
            assertError(awaitOp(c, "error"), "bad_channel");
            assertAllErrorsHaveReasons(c);
        }
    }
}
