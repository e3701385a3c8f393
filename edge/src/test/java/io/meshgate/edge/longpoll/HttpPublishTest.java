package io.meshgate.edge.longpoll;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshgate.edge.testing.Http;
import io.meshgate.edge.testing.TestRegion;
import io.meshgate.edge.testing.WsClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpRequest;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Flow;
import java.util.concurrent.SubmissionPublisher;

import static io.meshgate.edge.testing.Proto.assertAck;
import static io.meshgate.edge.testing.Proto.assertError;
import static io.meshgate.edge.testing.Proto.assertNack;
import static io.meshgate.edge.testing.Proto.awaitOn;
import static io.meshgate.edge.testing.Proto.channel;
import static io.meshgate.edge.testing.Proto.expiredToken;
import static io.meshgate.edge.testing.Proto.foreignToken;
import static io.meshgate.edge.testing.Proto.quote;
import static io.meshgate.edge.testing.Proto.sub;
import static io.meshgate.edge.testing.Proto.token;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * PROTOCOL.md, {@code POST /v1/publish}: 200 with the {@code ack}, the same ack for the same id, each {@code nack}
 * with its status, and malformed or oversize bodies getting a 4xx {@code error} object. {@code 429} is in
 * {@code WsRateLimitTest}, which runs with a small rate.
 */
class HttpPublishTest {
    private static final int DATA_LIMIT = 64 * 1024;

    static TestRegion region;
    static Http http;
    static String all;

    @BeforeAll
    static void start() {
        region = TestRegion.nodes(1).start();
        http = new Http(region.httpUrl(0));
        all = token("http-publisher");
    }

    @AfterAll
    static void stop() {
        region.close();
    }

    private static String body(String ch, String id, String dataJson) {
        return "{\"ch\":" + quote(ch) + ",\"id\":" + quote(id) + ",\"data\":" + dataJson + "}";
    }

    private static Http.Reply publish(String token, String body) {
        return http.post("/v1/publish", token, body);
    }

    private static void assertJson(Http.Reply reply) {
        assertTrue(reply.header("content-type") != null && reply.header("content-type").startsWith("application/json"),
                reply.headers().toString());
    }

    @Test
    void aPublishIsAnswered200WithTheAckAndDelivered() {
        String ch = channel("post");
        try (WsClient sub = WsClient.connect(region.wsUrl(0), all)) {
            sub.send(sub(ch));
            awaitOn(sub, ch, "subscribed");
            Http.Reply reply = publish(all, body(ch, "h1", "{\"text\":\"hi\"}"));
            assertEquals(200, reply.status(), reply.toString());
            assertJson(reply);
            JsonNode ack = reply.json();
            assertEquals(1, assertAck(ack, "h1", ch));
            JsonNode msg = awaitOn(sub, ch, "msg");
            assertEquals(ack.get("epoch"), msg.get("epoch"));
            assertEquals(ack.get("seq"), msg.get("seq"));
            assertEquals("hi", msg.get("data").get("text").asText());
        }
    }

    @Test
    void theSameIdGetsTheSameAckAndNoNewMessage() {
        String ch = channel("post-g4");
        JsonNode first = publish(all, body(ch, "same", "1")).json();
        Http.Reply again = publish(all, body(ch, "same", "2"));
        assertEquals(200, again.status(), again.toString());
        assertEquals(first, again.json());
        // The next new id gets the next seq: the repeat made no message.
        assertEquals(2, assertAck(publish(all, body(ch, "other", "3")).json(), "other", ch));
        // And a publish over WebSocket with that id gets the same ack too: one position space.
        try (WsClient ws = WsClient.connect(region.wsUrl(0), all)) {
            ws.send("{\"op\":\"pub\",\"ch\":" + quote(ch) + ",\"id\":\"same\",\"data\":4}");
            JsonNode wsAck = ws.awaitOp("ack");
            assertEquals(first.get("seq"), wsAck.get("seq"));
            assertEquals(first.get("epoch"), wsAck.get("epoch"));
        }
    }

    @Test
    void aForbiddenChannelIs403WithANack() {
        String ch = channel("post-403");
        String t = token("reader", List.of("*"), List.of("elsewhere"));
        Http.Reply reply = publish(t, body(ch, "f1", "1"));
        assertEquals(403, reply.status(), reply.toString());
        assertJson(reply);
        assertNack(reply.json(), "f1", ch, "forbidden");
    }

    @Test
    void dataOverTheLimitIs413WithANackAndDataAtTheLimitIsAccepted() {
        String ch = channel("post-413");
        Http.Reply over = publish(all, body(ch, "big", "\"" + "a".repeat(DATA_LIMIT - 1) + "\""));
        assertEquals(413, over.status(), over.toString());
        assertNack(over.json(), "big", ch, "too_large");
        // Exactly at the limit, written with escapes so the body is far larger than the limit: accepted.
        StringBuilder escaped = new StringBuilder("\"");
        for (int i = 0; i < DATA_LIMIT - 2; i++) {
            escaped.append("\\u0061");
        }
        Http.Reply at = publish(all, body(ch, "edge", escaped.append('"').toString()));
        assertEquals(200, at.status(), at.toString());
        assertEquals(1, assertAck(at.json(), "edge", ch), "the refused publish used no seq");
    }

    @Test
    void aBadChannelIs400WithANack() {
        for (String ch : List.of("no spaces", "", "x".repeat(129))) {
            Http.Reply reply = publish(all, body(ch, "bc", "1"));
            assertEquals(400, reply.status(), reply.toString());
            assertNack(reply.json(), "bc", null, "bad_channel");
        }
        Http.Reply missing = publish(all, "{\"id\":\"bc2\",\"data\":1}");
        assertEquals(400, missing.status(), missing.toString());
        assertNack(missing.json(), "bc2", null, "bad_channel");
    }

    @Test
    void aMalformedPublishIs400WithANackBadRequest() {
        String ch = channel("post-400");
        for (String body : List.of("{\"ch\":" + quote(ch) + ",\"data\":1}",
                "{\"ch\":" + quote(ch) + ",\"id\":\"\",\"data\":1}",
                "{\"ch\":" + quote(ch) + ",\"id\":7,\"data\":1}",
                "{\"ch\":" + quote(ch) + ",\"id\":\"" + "i".repeat(257) + "\",\"data\":1}",
                "{\"ch\":" + quote(ch) + ",\"id\":\"nodata\"}")) {
            Http.Reply reply = publish(all, body);
            assertEquals(400, reply.status(), body + " -> " + reply);
            assertNack(reply.json(), null, ch, "bad_request");
        }
        assertEquals(1, assertAck(publish(all, body(ch, "ok", "1")).json(), "ok", ch), "refusals used no seq");
    }

    @Test
    void malformedJsonAndNonObjectBodiesAre400WithAnErrorObject() {
        for (String body : List.of("", "not json", "{\"ch\":", "[1,2]", "\"text\"", "42", "null",
                "{\"ch\":\"a\"} trailing", "[".repeat(5_000))) {
            Http.Reply reply = publish(all, body);
            assertEquals(400, reply.status(), "'" + body + "' -> " + reply);
            assertJson(reply);
            assertError(reply.json(), "bad_request");
        }
    }

    @Test
    void anOversizeBodyIs413WithAnErrorObject() {
        String huge = "{\"ch\":\"big\",\"id\":\"x\",\"data\":\"" + "a".repeat(1024 * 1024) + "\"}";
        Http.Reply declared = publish(all, huge);
        assertEquals(413, declared.status(), declared.toString());
        assertError(declared.json(), "too_large");
        // Without a Content-Length (chunked), the limit is found while reading.
        Http.Reply chunked = http.post("/v1/publish", all, HttpRequest.BodyPublishers.fromPublisher(chunks(huge)));
        assertTrue(chunked.status() >= 400 && chunked.status() < 500, chunked.toString());
        assertError(chunked.json(), "too_large");
        // The edge is undisturbed.
        assertEquals(200, publish(all, body(channel("after-huge"), "ok", "1")).status());
    }

    private static Flow.Publisher<ByteBuffer> chunks(String text) {
        return subscriber -> {
            SubmissionPublisher<ByteBuffer> publisher = new SubmissionPublisher<>();
            publisher.subscribe(subscriber);
            byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
            new Thread(() -> {
                for (int at = 0; at < bytes.length; at += 16 * 1024) {
                    publisher.submit(ByteBuffer.wrap(bytes, at, Math.min(16 * 1024, bytes.length - at)));
                }
                publisher.close();
            }).start();
        };
    }

    @Test
    void theWrongMethodIs4xxWithAnErrorObject() {
        Http.Reply get = http.get("/v1/publish", all);
        assertTrue(get.status() >= 400 && get.status() < 500, get.toString());
        assertError(get.json(), "bad_request");
        Http.Reply post = http.post("/v1/poll?ch=x", all, "{}");
        assertTrue(post.status() >= 400 && post.status() < 500, post.toString());
        assertError(post.json(), "bad_request");
    }

    @Test
    void aBadMissingOrExpiredTokenIs401Unauthorized() {
        String ch = channel("post-401");
        for (String t : new String[] {foreignToken(), expiredToken(), "garbage", null}) {
            Http.Reply reply = publish(t, body(ch, "u", "1"));
            assertEquals(401, reply.status(), reply.toString());
            assertError(reply.json(), "unauthorized");
        }
    }
}
