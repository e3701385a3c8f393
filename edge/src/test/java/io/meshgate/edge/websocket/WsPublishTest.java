package io.meshgate.edge.websocket;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshgate.edge.testing.TestRegion;
import io.meshgate.edge.testing.WsClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.meshgate.edge.testing.Proto.assertAck;
import static io.meshgate.edge.testing.Proto.assertAlive;
import static io.meshgate.edge.testing.Proto.assertAllErrorsHaveReasons;
import static io.meshgate.edge.testing.Proto.assertMessageShape;
import static io.meshgate.edge.testing.Proto.assertNack;
import static io.meshgate.edge.testing.Proto.awaitOn;
import static io.meshgate.edge.testing.Proto.awaitReplies;
import static io.meshgate.edge.testing.Proto.awaitReply;
import static io.meshgate.edge.testing.Proto.channel;
import static io.meshgate.edge.testing.Proto.op;
import static io.meshgate.edge.testing.Proto.parse;
import static io.meshgate.edge.testing.Proto.pub;
import static io.meshgate.edge.testing.Proto.publish;
import static io.meshgate.edge.testing.Proto.publishAcked;
import static io.meshgate.edge.testing.Proto.quote;
import static io.meshgate.edge.testing.Proto.sub;
import static io.meshgate.edge.testing.Proto.token;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * PROTOCOL.md, WebSocket step 3 and the message format: {@code ack}, the {@code msg} fields, G4 idempotent
 * publish, every {@code nack} code but {@code rate_limited} (see {@link WsRateLimitTest}) and {@code unavailable}
 * (needs a failing region), the size rule, "a refused publish uses up no seq" and G6 publisher order.
 */
class WsPublishTest {
    /** PROTOCOL.md: data is at most 64 KiB encoded unless configured otherwise; the defaults are used here. */
    private static final int DATA_LIMIT = 64 * 1024;

    static TestRegion region;
    static String all;

    @BeforeAll
    static void start() {
        region = TestRegion.nodes(1).start();
        all = token("publisher");
    }

    @AfterAll
    static void stop() {
        region.close();
    }

    private static WsClient client() {
        return WsClient.connect(region.wsUrl(0), all);
    }

    private static WsClient subscriber(String ch) {
        WsClient c = client();
        c.send(sub(ch));
        awaitOn(c, ch, "subscribed");
        return c;
    }

    /** A JSON string literal whose compact encoding is exactly {@code bytes} bytes. */
    private static String stringOfEncodedSize(int bytes) {
        return "\"" + "a".repeat(bytes - 2) + "\"";
    }

    @Test
    void ackCarriesIdChannelEpochAndSeq() {
        String ch = channel("ack");
        try (WsClient c = client()) {
            JsonNode first = publish(c, ch, "c1-000017", "{\"text\":\"hi\"}");
            assertEquals(1, assertAck(first, "c1-000017", ch));
            JsonNode second = publish(c, ch, "c1-000018", "{\"text\":\"again\"}");
            assertEquals(2, assertAck(second, "c1-000018", ch));
            assertEquals(first.get("epoch").asText(), second.get("epoch").asText());
        }
    }

    @Test
    void aMessageHasExactlyItsSevenFieldsAndCarriesDataUnchanged() {
        String ch = channel("fields");
        List<String> data = List.of("{\"text\":\"hi\",\"nested\":{\"list\":[1,2.5,-3e10,true,false,null]}}",
                "[1,\"two\",{\"three\":3}]", "\"caf\u00e9 \\u2603 \\\"quoted\\\" \\\\ \\n \\ud83d\\ude00\"",
                "12345678901234567890", "-0.5", "true", "false", "null", "{}", "[]", "\"\"",
                "{ \"spaced\" :  [ 1 , 2 ] }");
        try (WsClient sub = subscriber(ch); WsClient pub = client()) {
            List<JsonNode> acks = new ArrayList<>();
            for (int i = 0; i < data.size(); i++) {
                acks.add(publishAcked(pub, ch, "f-" + i, data.get(i)));
            }
            for (int i = 0; i < data.size(); i++) {
                JsonNode msg = awaitOn(sub, ch, "msg");
                assertMessageShape(msg);
                JsonNode ack = acks.get(i);
                assertEquals(ch, msg.get("ch").asText());
                assertEquals(ack.get("epoch").asText(), msg.get("epoch").asText());
                assertEquals(ack.get("seq").asLong(), msg.get("seq").asLong());
                assertEquals("f-" + i, msg.get("id").asText());
                assertEquals(parse(data.get(i)), msg.get("data"), "data of " + msg);
                long ts = msg.get("ts").asLong();
                // Milliseconds since the Unix epoch: between 2020 and 2100, whatever the machine's clock says.
                assertTrue(ts > 1_577_836_800_000L && ts < 4_102_444_800_000L, "ts in ms: " + ts);
            }
        }
    }

    @Test
    void sameIdReturnsTheOriginalAckAndCreatesNoNewMessage() {
        String ch = channel("g4");
        try (WsClient sub = subscriber(ch); WsClient pub = client(); WsClient other = client()) {
            JsonNode original = publishAcked(pub, ch, "dup", "{\"v\":1}");
            // Again, with different data, on the same connection and on another one.
            JsonNode again = publishAcked(pub, ch, "dup", "{\"v\":2}");
            JsonNode elsewhere = publishAcked(other, ch, "dup", "{\"v\":3}");
            for (JsonNode ack : List.of(again, elsewhere)) {
                assertEquals(original.get("epoch").asText(), ack.get("epoch").asText());
                assertEquals(original.get("seq").asLong(), ack.get("seq").asLong());
                assertEquals("dup", ack.get("id").asText());
            }
            // Marker: the next message after the original is the marker, with the next seq.
            JsonNode marker = publishAcked(pub, ch, "marker", "0");
            assertEquals(original.get("seq").asLong() + 1, marker.get("seq").asLong());
            JsonNode first = awaitOn(sub, ch, "msg");
            assertEquals("dup", first.get("id").asText());
            assertEquals(1, first.get("data").get("v").asInt(), "the original data stays");
            JsonNode next = awaitOn(sub, ch, "msg");
            assertEquals("marker", next.get("id").asText(), "a duplicate was delivered: " + sub.received());
        }
    }

    @Test
    void sameIdTwiceInARowWithoutWaitingStillGivesOneMessage() {
        String ch = channel("g4-burst");
        try (WsClient sub = subscriber(ch); WsClient pub = client()) {
            for (int i = 0; i < 5; i++) {
                pub.send(pub(ch, "burst", Integer.toString(i)));
            }
            List<JsonNode> acks = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                JsonNode ack = pub.await(f -> op(f).equals("ack"));
                assertNotNull(ack, "missing ack; received " + pub.received());
                acks.add(ack);
            }
            acks.forEach(a -> assertEquals(1, a.get("seq").asLong(), a.toString()));
            publishAcked(pub, ch, "marker", "0");
            assertEquals("burst", awaitOn(sub, ch, "msg").get("id").asText());
            JsonNode next = awaitOn(sub, ch, "msg");
            assertEquals("marker", next.get("id").asText());
            assertEquals(2, next.get("seq").asLong());
        }
    }

    @Test
    void publishingWhereTheTokenDoesNotAllowIsNackedForbidden() {
        String allowed = channel("open");
        String closed = channel("closed");
        String t = token("reader", List.of("*"), List.of(allowed));
        try (WsClient c = WsClient.connect(region.wsUrl(0), t)) {
            assertNack(publish(c, closed, "p1", "1"), "p1", closed, "forbidden");
            assertAlive(c);
            assertEquals(1, assertAck(publish(c, allowed, "p2", "1"), "p2", allowed));
        }
    }

    @Test
    void dataOverTheLimitIsNackedTooLargeAndTheConnectionStaysOpen() {
        String ch = channel("big");
        try (WsClient c = client()) {
            // Within the frame limit, and far beyond it (1 MiB, 4 MiB: read in chunks, only a prefix kept).
            for (int size : List.of(DATA_LIMIT + 1, 2 * DATA_LIMIT, 4 * DATA_LIMIT, 16 * DATA_LIMIT,
                    64 * DATA_LIMIT)) {
                String id = "big-" + size;
                assertNack(publish(c, ch, id, stringOfEncodedSize(size)), id, ch, "too_large");
                assertAlive(c);
            }
            // Over the limit counts multibyte characters as their UTF-8 bytes.
            String euros = "\"" + "\u20ac".repeat(DATA_LIMIT / 3 + 1) + "\"";
            assertNack(publish(c, ch, "euros", euros), "euros", ch, "too_large");
            assertAlive(c);
            // Beyond the frame limit with the id after the data: still nacked, without the id it never kept.
            c.send("{\"op\":\"pub\",\"ch\":\"" + ch + "\",\"data\":" + stringOfEncodedSize(16 * DATA_LIMIT)
                    + ",\"id\":\"late-id\"}");
            JsonNode late = c.awaitOp("nack");
            assertNotNull(late, "no nack: " + c.received());
            assertEquals("too_large", late.get("code").asText());
            assertEquals(ch, late.get("ch").asText());
            assertAlive(c);
            // None of them used a seq.
            assertEquals(1, assertAck(publish(c, ch, "small", "1"), "small", ch));
        }
    }

    @Test
    void dataExactlyAtTheLimitIsAcceptedEvenInAFrameMuchLargerThanTheLimit() {
        String ch = channel("at-limit");
        try (WsClient sub = subscriber(ch); WsClient pub = client()) {
            // Compact encoding: exactly the limit. The frame writes every character as a \\u escape and pads the
            // envelope with whitespace, so the frame is about six times the data limit.
            int chars = DATA_LIMIT - 2;
            StringBuilder escaped = new StringBuilder(chars * 6 + 2).append('"');
            for (int i = 0; i < chars; i++) {
                escaped.append("\\u0062");
            }
            escaped.append('"');
            String frame = "{ \"op\" : \"pub\" ,\n \"ch\" : " + quote(ch) + " , \"id\" : \"edge\" , \"data\" : "
                    + escaped + " " + " ".repeat(1000) + "}";
            assertTrue(frame.length() > 5 * DATA_LIMIT);
            pub.send(frame);
            assertEquals(1, assertAck(awaitReply(pub, "edge"), "edge", ch));
            JsonNode msg = awaitOn(sub, ch, "msg");
            assertEquals("b".repeat(chars), msg.get("data").asText());
            // And one byte over, written the same way, is refused for its data, not its frame.
            String over = frame.replace("\"edge\"", "\"edge2\"").replace("\"\\u0062", "\"\\u0062b");
            pub.send(over);
            assertNack(awaitReply(pub, "edge2"), "edge2", ch, "too_large");
            assertAlive(pub);
        }
    }

    @Test
    void anInvalidChannelIsNackedBadChannel() {
        String ch = channel("bc");
        try (WsClient c = client()) {
            JsonNode spaced = publish(c, "no spaces", "b1", "1");
            assertNack(spaced, "b1", null, "bad_channel");
            JsonNode tooLong = publish(c, "x".repeat(129), "b2", "1");
            assertNack(tooLong, "b2", null, "bad_channel");
            c.send("{\"op\":\"pub\",\"id\":\"b3\",\"data\":1}");
            assertNack(awaitReply(c, "b3"), "b3", null, "bad_channel");
            c.send("{\"op\":\"pub\",\"ch\":7,\"id\":\"b4\",\"data\":1}");
            assertNack(awaitReply(c, "b4"), "b4", null, "bad_channel");
            assertAlive(c);
            assertEquals(1, assertAck(publish(c, ch, "ok", "1"), "ok", ch));
        }
    }

    @Test
    void aMalformedPublishIsNackedBadRequest() {
        String ch = channel("br");
        try (WsClient c = client()) {
            List<String> frames = List.of(
                    "{\"op\":\"pub\",\"ch\":" + quote(ch) + ",\"data\":1}",                       // no id
                    "{\"op\":\"pub\",\"ch\":" + quote(ch) + ",\"id\":\"\",\"data\":1}",           // empty id
                    "{\"op\":\"pub\",\"ch\":" + quote(ch) + ",\"id\":5,\"data\":1}",              // id not a string
                    "{\"op\":\"pub\",\"ch\":" + quote(ch) + ",\"id\":\"" + "i".repeat(257) + "\",\"data\":1}",
                    "{\"op\":\"pub\",\"ch\":" + quote(ch) + ",\"id\":\"nodata\"}");               // no data
            for (String frame : frames) {
                c.send(frame);
                JsonNode nack = c.await(f -> op(f).equals("nack"));
                assertNack(nack, null, ch, "bad_request");
            }
            assertEquals("nodata", c.received().get(c.received().size() - 1).get("id").asText());
            assertAlive(c);
            assertEquals(1, assertAck(publish(c, ch, "ok", "1"), "ok", ch));
        }
    }

    @Test
    void aRefusedPublishUsesUpNoSeq() {
        String ch = channel("noseq");
        String t = token("half", List.of("*"), List.of(ch));
        String forbiddenCh = channel("noseq-forbidden");
        try (WsClient sub = subscriber(ch); WsClient c = WsClient.connect(region.wsUrl(0), t)) {
            assertEquals(1, assertAck(publish(c, ch, "a", "1"), "a", ch));
            assertNack(publish(c, ch, "big", stringOfEncodedSize(DATA_LIMIT + 1)), "big", ch, "too_large");
            c.send("{\"op\":\"pub\",\"ch\":" + quote(ch) + ",\"id\":\"nodata\"}");
            assertNack(awaitReply(c, "nodata"), "nodata", ch, "bad_request");
            assertNack(publish(c, forbiddenCh, "elsewhere", "1"), "elsewhere", forbiddenCh, "forbidden");
            assertEquals(2, assertAck(publish(c, ch, "b", "2"), "b", ch));
            assertEquals(1, awaitOn(sub, ch, "msg").get("seq").asLong());
            JsonNode second = awaitOn(sub, ch, "msg");
            assertEquals(2, second.get("seq").asLong());
            assertEquals("b", second.get("id").asText());
            // The refused ids were never sequenced: publishing them now makes new messages.
            assertEquals(3, assertAck(publish(c, ch, "big", "3"), "big", ch));
            assertEquals(4, assertAck(publish(c, ch, "nodata", "4"), "nodata", ch));
            assertAllErrorsHaveReasons(c);
        }
    }

    @Test
    void publishesOnOneConnectionAreSequencedInTheOrderSent() {
        String ch = channel("g6");
        int count = 500;
        try (WsClient sub = subscriber(ch); WsClient pub = client(); WsClient noise = client()) {
            // Another connection publishes to the same channel at the same time; only its relative order is free.
            for (int i = 0; i < count; i++) {
                pub.send(pub(ch, "p-" + i, Integer.toString(i)));
                if (i % 5 == 0) {
                    noise.send(pub(ch, "n-" + i, "0"));
                }
            }
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                ids.add("p-" + i);
            }
            Map<String, JsonNode> acks = awaitReplies(pub, ids);
            long last = 0;
            for (int i = 0; i < count; i++) {
                JsonNode ack = acks.get("p-" + i);
                long seq = assertAck(ack, "p-" + i, ch);
                assertTrue(seq > last, "p-" + i + " got seq " + seq + " after " + last);
                last = seq;
            }
            int seen = 0;
            long lastSeq = 0;
            while (seen < count) {
                JsonNode msg = awaitOn(sub, ch, "msg");
                assertEquals(lastSeq + 1, msg.get("seq").asLong(), "subscriber sees every seq once, in order");
                lastSeq = msg.get("seq").asLong();
                if (msg.get("id").asText().startsWith("p-")) {
                    assertEquals("p-" + seen, msg.get("id").asText());
                    seen++;
                }
            }
        }
    }
}
