package io.meshgate.edge.testing;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meshgate.edge.auth.TokenMinter;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Protocol v1 vocabulary for tests: tokens, frames, and the assertions every test repeats (an {@code error} or
 * {@code nack} always carries a reason; a message has exactly its seven fields).
 */
public final class Proto {
    public static final ObjectMapper JSON = new ObjectMapper();
    public static final Set<String> MSG_FIELDS = Set.of("op", "ch", "epoch", "seq", "id", "data", "ts");
    public static final Set<String> ACK_FIELDS = Set.of("op", "id", "ch", "epoch", "seq");
    public static final Set<String> NACK_FIELDS = Set.of("op", "id", "ch", "code", "reason");

    private static final TokenMinter MINTER = new TokenMinter(TestRegion.SECRET);
    private static final AtomicLong UNIQUE = new AtomicLong();

    private Proto() {
    }

    // ---- tokens ------------------------------------------------------------------------------------------------

    /** A token that may subscribe and publish everywhere. */
    public static String token(String subject) {
        return MINTER.mint(subject, List.of("*"), List.of("*"), Duration.ofHours(1));
    }

    public static String token(String subject, List<String> subscribe, List<String> publish) {
        return MINTER.mint(subject, subscribe, publish, Duration.ofHours(1));
    }

    /** Signed with the right secret, but expired an hour ago (well beyond the allowed clock skew). */
    public static String expiredToken() {
        Instant now = Instant.now();
        return JWT.create().withSubject("late").withIssuedAt(now.minusSeconds(7200))
                .withExpiresAt(now.minusSeconds(3600)).withClaim("subscribe", List.of("*"))
                .withClaim("publish", List.of("*"))
                .sign(Algorithm.HMAC256(TestRegion.SECRET.getBytes(StandardCharsets.UTF_8)));
    }

    /** Signed with the right secret, allowing everything, but without the required {@code exp} claim. */
    public static String tokenWithoutExp() {
        return JWT.create().withSubject("forever").withClaim("subscribe", List.of("*"))
                .withClaim("publish", List.of("*"))
                .sign(Algorithm.HMAC256(TestRegion.SECRET.getBytes(StandardCharsets.UTF_8)));
    }

    /** Signed with the right secret, allowing everything, but without the required {@code sub} claim. */
    public static String tokenWithoutSub() {
        return JWT.create().withExpiresAt(Instant.now().plusSeconds(3600)).withClaim("subscribe", List.of("*"))
                .withClaim("publish", List.of("*"))
                .sign(Algorithm.HMAC256(TestRegion.SECRET.getBytes(StandardCharsets.UTF_8)));
    }

    /** Well-formed, unexpired, signed with a secret the edge does not know. */
    public static String foreignToken() {
        return new TokenMinter("some-other-secret-some-other-secret-0123456789")
                .mint("mallory", List.of("*"), List.of("*"), Duration.ofHours(1));
    }

    /** A fresh channel name, so tests sharing a region never share a channel. */
    public static String channel(String prefix) {
        return prefix + ":" + UNIQUE.incrementAndGet() + "-" + Long.toString(System.nanoTime(), 36);
    }

    // ---- frames ------------------------------------------------------------------------------------------------

    public static String pub(String ch, String id, String dataJson) {
        return "{\"op\":\"pub\",\"ch\":" + quote(ch) + ",\"id\":" + quote(id) + ",\"data\":" + dataJson + "}";
    }

    public static String sub(String ch) {
        return "{\"op\":\"sub\",\"ch\":" + quote(ch) + "}";
    }

    public static String sub(String ch, String epoch, long seq) {
        return "{\"op\":\"sub\",\"ch\":" + quote(ch) + ",\"from\":{\"epoch\":" + quote(epoch) + ",\"seq\":" + seq
                + "}}";
    }

    public static String quote(String s) {
        try {
            return JSON.writeValueAsString(s);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Publishes on {@code client} and returns its ack or nack (frames before it are consumed). */
    public static JsonNode publish(WsClient client, String ch, String id, String dataJson) {
        client.send(pub(ch, id, dataJson));
        return awaitReply(client, id);
    }

    /** The ack or nack for {@code id}. */
    public static JsonNode awaitReply(WsClient client, String id) {
        JsonNode reply = client.await(f -> (op(f).equals("ack") || op(f).equals("nack"))
                && id.equals(f.path("id").asText(null)));
        assertNotNull(reply, "no ack/nack for " + id + "; received " + client.received());
        return reply;
    }

    /**
     * The acks and nacks for every id in {@code ids}, whatever order they arrive in (a nack can overtake the ack of
     * an earlier publish). Other frames before the last of them are consumed.
     */
    public static Map<String, JsonNode> awaitReplies(WsClient client, Collection<String> ids) {
        Set<String> waiting = new HashSet<>(ids);
        Map<String, JsonNode> replies = new LinkedHashMap<>();
        while (!waiting.isEmpty()) {
            JsonNode reply = client.await(f -> (op(f).equals("ack") || op(f).equals("nack"))
                    && waiting.contains(f.path("id").asText(null)));
            assertNotNull(reply, "no ack/nack for " + waiting + "; received " + client.received());
            waiting.remove(reply.get("id").asText());
            replies.put(reply.get("id").asText(), reply);
        }
        return replies;
    }

    /** Publishes and insists on an ack; returns it. */
    public static JsonNode publishAcked(WsClient client, String ch, String id, String dataJson) {
        JsonNode reply = publish(client, ch, id, dataJson);
        assertEquals("ack", op(reply), "expected an ack: " + reply);
        return reply;
    }

    /** Publishes {@code count} messages {@code prefix-1..count} and waits for all acks; returns the acks. */
    public static List<JsonNode> publishMany(WsClient client, String ch, String prefix, int count) {
        for (int i = 1; i <= count; i++) {
            client.send(pub(ch, prefix + "-" + i, "{\"n\":" + i + "}"));
        }
        List<String> ids = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            ids.add(prefix + "-" + i);
        }
        Map<String, JsonNode> replies = awaitReplies(client, ids);
        List<JsonNode> acks = new ArrayList<>();
        for (String id : ids) {
            JsonNode reply = replies.get(id);
            assertEquals("ack", op(reply), "expected an ack: " + reply);
            acks.add(reply);
        }
        return acks;
    }

    /** The next frame of channel {@code ch} with operation {@code op}; fails when none comes. */
    public static JsonNode awaitOn(WsClient client, String ch, String op) {
        JsonNode frame = client.await(f -> op(f).equals(op) && ch.equals(f.path("ch").asText(null)));
        assertNotNull(frame, "no " + op + " on " + ch + "; received " + client.received());
        return frame;
    }

    public static JsonNode awaitOp(WsClient client, String op) {
        JsonNode frame = client.awaitOp(op);
        assertNotNull(frame, "no " + op + "; received " + client.received());
        return frame;
    }

    /** Sends a ping and waits for the pong: proves the connection is open and the session still answers. */
    public static void assertAlive(WsClient client) {
        client.send("{\"op\":\"ping\"}");
        JsonNode pong = client.awaitOp("pong");
        assertNotNull(pong, "no pong; received " + client.received());
        assertFalse(client.isClosed(), "connection closed");
    }

    public static String op(JsonNode frame) {
        return frame.path("op").asText("");
    }

    public static Set<String> fields(JsonNode object) {
        Set<String> names = new TreeSet<>();
        Iterator<String> it = object.fieldNames();
        it.forEachRemaining(names::add);
        return names;
    }

    // ---- assertions --------------------------------------------------------------------------------------------

    /** An {@code error} object with this code and a non-blank {@code reason} string. */
    public static void assertError(JsonNode frame, String code) {
        assertNotNull(frame, "no error frame");
        assertEquals("error", op(frame), "not an error: " + frame);
        assertEquals(code, frame.path("code").asText(null), "code of " + frame);
        assertReason(frame);
    }

    /** A {@code nack} with exactly the protocol's fields, this code, and a reason. */
    public static void assertNack(JsonNode frame, String id, String ch, String code) {
        assertNotNull(frame, "no nack frame");
        assertEquals("nack", op(frame), "not a nack: " + frame);
        java.util.Set<String> expectedFields = new java.util.HashSet<>(NACK_FIELDS);
        if ("rate_limited".equals(code)) {
            // PROTOCOL.md step 3: a rate_limited nack says when a retry will be accepted.
            expectedFields.add("retry_ms");
            assertTrue(frame.path("retry_ms").isIntegralNumber() && frame.path("retry_ms").asLong() > 0,
                    "retry_ms of " + frame);
        }
        assertEquals(expectedFields, fields(frame), "fields of " + frame);
        assertEquals(code, frame.path("code").asText(null), "code of " + frame);
        if (id != null) {
            assertEquals(id, frame.path("id").asText(null), "id of " + frame);
        }
        if (ch != null) {
            assertEquals(ch, frame.path("ch").asText(null), "ch of " + frame);
        }
        assertReason(frame);
    }

    public static void assertReason(JsonNode frame) {
        JsonNode reason = frame.get("reason");
        assertTrue(reason != null && reason.isTextual() && !reason.asText().isBlank(),
                "no human-readable reason string: " + frame);
    }

    /** An {@code ack} with exactly the protocol's fields for this id and channel; returns its seq. */
    public static long assertAck(JsonNode frame, String id, String ch) {
        assertNotNull(frame, "no ack frame");
        assertEquals("ack", op(frame), "not an ack: " + frame);
        assertEquals(ACK_FIELDS, fields(frame), "fields of " + frame);
        assertEquals(id, frame.path("id").asText(null));
        assertEquals(ch, frame.path("ch").asText(null));
        assertTrue(frame.get("epoch").isTextual() && !frame.get("epoch").asText().isEmpty(), "epoch of " + frame);
        assertTrue(frame.get("seq").isIntegralNumber() && frame.get("seq").asLong() >= 1, "seq of " + frame);
        return frame.get("seq").asLong();
    }

    /** A message object with exactly the seven protocol fields, of the right types. */
    public static void assertMessageShape(JsonNode msg) {
        assertNotNull(msg, "no msg");
        assertEquals("msg", op(msg), "not a msg: " + msg);
        assertEquals(MSG_FIELDS, fields(msg), "fields of " + msg);
        assertTrue(msg.get("ch").isTextual(), "ch of " + msg);
        assertTrue(msg.get("epoch").isTextual() && !msg.get("epoch").asText().isEmpty(), "epoch of " + msg);
        assertTrue(msg.get("seq").isIntegralNumber() && msg.get("seq").asLong() >= 1, "seq of " + msg);
        assertTrue(msg.get("id").isTextual(), "id of " + msg);
        assertTrue(msg.get("ts").isIntegralNumber(), "ts of " + msg);
    }

    /** Every {@code error} and {@code nack} this client ever received carried a reason. */
    public static void assertAllErrorsHaveReasons(WsClient client) {
        for (JsonNode frame : client.received()) {
            if (op(frame).equals("error") || op(frame).equals("nack")) {
                assertReason(frame);
            }
        }
    }
}
