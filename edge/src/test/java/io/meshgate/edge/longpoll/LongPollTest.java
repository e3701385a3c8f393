package io.meshgate.edge.longpoll;

import com.fasterxml.jackson.databind.JsonNode;
import com.hazelcast.map.IMap;
import io.meshgate.edge.testing.Http;
import io.meshgate.edge.testing.TestRegion;
import io.meshgate.edge.testing.WsClient;
import io.meshgate.relay.history.ChannelState;
import io.meshgate.relay.history.ChannelStore;
import io.meshgate.relay.history.HistoryLimits;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

import static io.meshgate.edge.testing.Proto.assertError;
import static io.meshgate.edge.testing.Proto.assertMessageShape;
import static io.meshgate.edge.testing.Proto.awaitOn;
import static io.meshgate.edge.testing.Proto.channel;
import static io.meshgate.edge.testing.Proto.expiredToken;
import static io.meshgate.edge.testing.Proto.fields;
import static io.meshgate.edge.testing.Proto.foreignToken;
import static io.meshgate.edge.testing.Proto.parse;
import static io.meshgate.edge.testing.Proto.publishAcked;
import static io.meshgate.edge.testing.Proto.publishMany;
import static io.meshgate.edge.testing.Proto.sub;
import static io.meshgate.edge.testing.Proto.token;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * PROTOCOL.md, HTTP long-poll: {@code GET /v1/poll}. Heads, positions, holding and answering, the 1,000 cap, and
 * every malformed request getting a 4xx with an {@code error} object. History holds 2,000 messages here so the cap
 * can be seen; publishing is unthrottled so the tests can fill channels quickly.
 */
class LongPollTest {
    /** Shorter than the default wait (25 s): an answer "at once" must come well before it. */
    private static final Duration AT_ONCE = Duration.ofSeconds(15);

    static TestRegion region;
    static Http http;
    static String all;

    @BeforeAll
    static void start() {
        region = TestRegion.nodes(1)
                .history(new HistoryLimits(2_000, 600_000, 64L * 1024 * 1024, 300_000, 100_000))
                .edge(s -> s.withPublishRate(100_000, 1_000))
                .start();
        http = new Http(region.httpUrl(0));
        all = token("poller");
    }

    @AfterAll
    static void stop() {
        region.close();
    }

    private static WsClient ws() {
        return WsClient.connect(region.wsUrl(0), all);
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    /** {@code ch=<ch>@<epoch>:<seq>}, encoded as a client would. */
    private static String at(String ch, String epoch, long seq) {
        return "ch=" + enc(ch + "@" + epoch + ":" + seq);
    }

    private static JsonNode poll(String query) {
        Http.Reply reply = http.get("/v1/poll?" + query, all, AT_ONCE);
        assertEquals(200, reply.status(), reply.toString());
        assertTrue(reply.header("content-type").startsWith("application/json"), reply.headers().toString());
        JsonNode body = reply.json();
        assertEquals(Set.of("messages", "gaps", "heads"), fields(body), body.toString());
        assertTrue(body.get("messages").isArray() && body.get("gaps").isArray() && body.get("heads").isObject());
        return body;
    }

    private static void assertHead(JsonNode body, String ch, String epoch, long seq) {
        JsonNode head = body.get("heads").get(ch);
        assertTrue(head != null && head.isObject(), "no head for " + ch + " in " + body);
        assertEquals(Set.of("epoch", "seq"), fields(head));
        assertTrue(head.get("epoch").isTextual());
        if (epoch != null) {
            assertEquals(epoch, head.get("epoch").asText());
        }
        assertEquals(seq, head.get("seq").asLong(), "head of " + ch + " in " + body);
    }

    /** The messages of one channel in the answer, checked to be contiguous from {@code after + 1}. */
    private static List<JsonNode> contiguous(JsonNode body, String ch, long after) {
        List<JsonNode> msgs = new java.util.ArrayList<>();
        body.get("messages").forEach(m -> {
            if (m.get("ch").asText().equals(ch)) {
                msgs.add(m);
            }
        });
        long expected = after + 1;
        for (JsonNode m : msgs) {
            assertMessageShape(m);
            assertEquals(expected++, m.get("seq").asLong(), "messages of " + ch + " must be contiguous: " + body);
        }
        return msgs;
    }

    /**
     * Waits until this node listens to {@code ch} (its route is in the channel's state), which a parked poll causes;
     * only then is a message published, so the answer proves the poll was held and woken, not answered late.
     * Synchronisation only: nothing is asserted on the internals.
     */
    private static void awaitListenedTo(String ch) {
        IMap<String, ChannelState> channels = region.node(0).relay().region().hazelcast().getMap(ChannelStore.MAP_NAME);
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            ChannelState state = channels.get(ch);
            return state != null && !state.routes().isEmpty();
        });
    }

    private static Http.Reply assertBadRequest(String rawQuery, String code) {
        Http.Reply reply = http.raw("GET /v1/poll?" + rawQuery + " HTTP/1.1", "Authorization: Bearer " + all);
        assertTrue(reply.status() >= 400 && reply.status() < 500, rawQuery + " -> " + reply);
        assertTrue(reply.body().startsWith("{"), rawQuery + " -> " + reply.status() + " " + reply.headers()
                + " with no error object: " + reply.body());
        assertError(reply.json(), code);
        return reply;
    }

    // ---- errors --------------------------------------------------------------------------------------------------

    @Test
    void aPollWithoutAnyChannelIs400WithAnErrorObject() {
        Http.Reply reply = http.get("/v1/poll", all);
        assertEquals(400, reply.status(), reply.toString());
        assertError(reply.json(), "bad_request");
        Http.Reply onlyWait = http.get("/v1/poll?wait=1", all);
        assertEquals(400, onlyWait.status(), onlyWait.toString());
        assertError(onlyWait.json(), "bad_request");
    }

    @Test
    void aBadMissingOrExpiredTokenIs401Unauthorized() {
        String ch = channel("auth");
        for (String token : List.of(foreignToken(), expiredToken(), "garbage", "")) {
            Http.Reply reply = http.get("/v1/poll?ch=" + ch, token.isEmpty() ? null : token);
            assertEquals(401, reply.status(), reply.toString());
            assertError(reply.json(), "unauthorized");
        }
        Http.Reply basic = http.raw("GET /v1/poll?ch=" + ch + " HTTP/1.1", "Authorization: Basic YTpi");
        assertEquals(401, basic.status(), basic.toString());
        assertError(basic.json(), "unauthorized");
    }

    @Test
    void aChannelTheTokenDoesNotAllowIsRefusedWithAnErrorObject() {
        String ch = channel("closed");
        String t = token("narrow", List.of("open:*"), List.of());
        Http.Reply reply = http.get("/v1/poll?ch=" + ch, t);
        assertEquals(403, reply.status(), reply.toString());
        assertError(reply.json(), "forbidden");
    }

    @Test
    void malformedQueriesAre4xxWithAnErrorObjectNever5xx() {
        String ch = channel("malformed");
        assertBadRequest("ch=" + ch + "&wait=abc", "bad_request");
        assertBadRequest("ch=" + ch + "&wait=-1", "bad_request");
        assertBadRequest("ch=" + ch + "&wait=1.5", "bad_request");
        assertBadRequest("ch=" + ch + "&wait=", "bad_request");
        assertBadRequest("ch=" + ch + "&ch=" + ch, "bad_request");
        StringBuilder tooMany = new StringBuilder("ch=c0");
        for (int i = 1; i <= 100; i++) {
            tooMany.append("&ch=c").append(i);
        }
        assertBadRequest(tooMany.toString(), "bad_request"); // more channels than one poll may name (100)
        // Characters a client should have escaped still reach the gateway and get its error object.
        assertBadRequest("ch={x}", "bad_channel");
        assertBadRequest("ch=a|b", "bad_channel");
        assertBadRequest("ch=a\"b", "bad_channel");
    }

    @Test
    void malformedPercentEscapesAre400NeverA5xx() {
        String ch = channel("pct");
        for (String query : List.of("ch=%zz", "ch=" + ch + "%zz", "ch=" + ch + "&wait=%zz", "ch=" + ch + "%4",
                "ch=" + ch + "%", "%zz=1&ch=" + ch)) {
            Http.Reply reply = http.raw("GET /v1/poll?" + query + " HTTP/1.1", "Authorization: Bearer " + all);
            assertEquals(400, reply.status(), query + " -> " + reply);
            assertEquals("error", reply.json().path("op").asText(), query + " -> " + reply);
            assertEquals("bad_request", reply.json().path("code").asText(), query + " -> " + reply);
        }
        // The gateway is undisturbed: the next request on a new connection is served.
        assertEquals(0, poll("ch=" + ch).get("messages").size());
    }

    @Test
    void badChannelNamesAre400BadChannel() {
        assertBadRequest("ch=", "bad_channel");
        assertBadRequest("ch=has%20space", "bad_channel");
        assertBadRequest("ch=" + "x".repeat(129), "bad_channel");
        assertBadRequest("ch=caf%C3%A9", "bad_channel");
        assertBadRequest("ch=%FF%FE", "bad_channel");
        assertBadRequest("ch=slash%2Fno", "bad_channel");
        assertBadRequest("ch=ok&ch=not%20ok", "bad_channel");
        assertBadRequest("ch=@e:1", "bad_channel");
    }

    @Test
    void malformedPositionsAre400BadRequest() {
        String ch = channel("pos");
        for (String position : List.of("", "e:", "e:x", "e:-1", "e:1.5", "e:99999999999999999999", ":",
                "e:1:x", "e: 1")) {
            assertBadRequest("ch=" + enc(ch + "@" + position), "bad_request");
        }
    }

    // ---- heads and positions -------------------------------------------------------------------------------------

    @Test
    void aChannelWithoutPositionGetsItsHeadOnlyAndIsAnsweredAtOnce() {
        String ch = channel("head");
        String empty = channel("head-empty");
        try (WsClient pub = ws()) {
            List<JsonNode> acks = publishMany(pub, ch, "m", 3);
            JsonNode body = poll("ch=" + ch + "&ch=" + empty + "&wait=30");
            assertEquals(0, body.get("messages").size(), body.toString());
            assertEquals(0, body.get("gaps").size(), body.toString());
            assertHead(body, ch, acks.get(0).get("epoch").asText(), 3);
            assertHead(body, empty, null, 0);
            assertEquals(2, body.get("heads").size());
        }
    }

    @Test
    void aChannelWithPositionGetsTheMessagesAfterItContiguousWithItsHead() {
        String ch = channel("after");
        try (WsClient pub = ws()) {
            List<JsonNode> acks = publishMany(pub, ch, "m", 6);
            String epoch = acks.get(0).get("epoch").asText();
            JsonNode body = poll(at(ch, epoch, 2) + "&wait=30");
            List<JsonNode> msgs = contiguous(body, ch, 2);
            assertEquals(4, msgs.size());
            for (JsonNode m : msgs) {
                long seq = m.get("seq").asLong();
                assertEquals(ch, m.get("ch").asText());
                assertEquals(epoch, m.get("epoch").asText());
                assertEquals("m-" + seq, m.get("id").asText());
                assertEquals(parse("{\"n\":" + seq + "}"), m.get("data"));
            }
            assertHead(body, ch, epoch, 6);
            assertEquals(0, body.get("gaps").size());
            // From zero: the whole channel.
            assertEquals(6, contiguous(poll(at(ch, epoch, 0)), ch, 0).size());
        }
    }

    @Test
    void aPositionWithAnUnknownOrNoEpochIsResolvedBySeqAlone() {
        String ch = channel("no-epoch");
        try (WsClient pub = ws()) {
            publishMany(pub, ch, "m", 4);
            assertEquals(2, contiguous(poll(at(ch, "unknown-epoch", 2)), ch, 2).size());
            assertEquals(2, contiguous(poll("ch=" + enc(ch + "@:2")), ch, 2).size());
        }
    }

    @Test
    void severalChannelsInOnePollEachGetTheirOwnAnswerAndHead() {
        String a = channel("multi-a");
        String b = channel("multi-b");
        String c = channel("multi-c");
        try (WsClient pub = ws()) {
            String epoch = publishMany(pub, a, "a", 3).get(0).get("epoch").asText();
            publishMany(pub, b, "b", 2);
            publishMany(pub, c, "c", 1);
            // a has news after 1; b has nothing after its head; c has no position.
            JsonNode body = poll(at(a, epoch, 1) + "&" + at(b, epoch, 2) + "&ch=" + c + "&wait=30");
            assertEquals(2, contiguous(body, a, 1).size());
            assertEquals(0, contiguous(body, b, 2).size());
            assertEquals(0, contiguous(body, c, 0).size());
            assertEquals(2, body.get("messages").size());
            assertHead(body, a, epoch, 3);
            assertHead(body, b, epoch, 2);
            assertHead(body, c, epoch, 1);
        }
    }

    // ---- holding -------------------------------------------------------------------------------------------------

    @Test
    void aPollWithNothingNewIsHeldUntilAMessageArrives() {
        String ch = channel("held");
        String other = channel("held-other");
        try (WsClient pub = ws()) {
            String epoch = publishMany(pub, ch, "m", 2).get(0).get("epoch").asText();
            // The HTTP time-out is shorter than the wait: only an answer triggered by the message arrives in time.
            CompletableFuture<Http.Reply> pending = http.getAsync("/v1/poll?" + at(ch, epoch, 2) + "&ch=" + other
                    + "&wait=40", all, Duration.ofSeconds(30));
            awaitListenedTo(ch);
            JsonNode ack = publishAcked(pub, ch, "wake", "{\"wake\":true}");
            Http.Reply reply = pending.join();
            assertEquals(200, reply.status(), reply.toString());
            JsonNode body = reply.json();
            List<JsonNode> msgs = contiguous(body, ch, 2);
            assertEquals(1, msgs.size(), body.toString());
            assertEquals("wake", msgs.get(0).get("id").asText());
            assertEquals(ack.get("seq").asLong(), msgs.get(0).get("seq").asLong());
            assertHead(body, ch, epoch, 3);
            assertHead(body, other, null, 0);
        }
    }

    @Test
    void whenTheWaitEndsTheAnswerHasNoMessagesButHasHeads() {
        String ch = channel("timeout");
        String idle = channel("timeout-idle");
        try (WsClient pub = ws()) {
            String epoch = publishMany(pub, ch, "m", 2).get(0).get("epoch").asText();
            JsonNode body = poll(at(ch, epoch, 2) + "&ch=" + idle + "&wait=1");
            assertEquals(0, body.get("messages").size(), body.toString());
            assertEquals(0, body.get("gaps").size(), body.toString());
            assertHead(body, ch, epoch, 2);
            assertHead(body, idle, null, 0);
            // wait=0 answers at once, the same way.
            JsonNode now = poll(at(ch, epoch, 2) + "&wait=0");
            assertEquals(0, now.get("messages").size());
            assertHead(now, ch, epoch, 2);
        }
    }

    @Test
    void aWaitAboveTheMaximumIsAcceptedAndAMessageStillEndsIt() {
        String ch = channel("long-wait");
        try (WsClient pub = ws()) {
            String epoch = publishMany(pub, ch, "m", 1).get(0).get("epoch").asText();
            List<String> waits = List.of("3600", "2147483648", "99999999999999999999");
            for (int i = 0; i < waits.size(); i++) {
                CompletableFuture<Http.Reply> pending = http.getAsync("/v1/poll?" + at(ch, epoch, 1 + i) + "&wait="
                        + waits.get(i), all, Duration.ofSeconds(30));
                awaitListenedTo(ch);
                publishAcked(pub, ch, "w-" + i, "1");
                Http.Reply reply = pending.join();
                assertEquals(200, reply.status(), "wait=" + waits.get(i) + " -> " + reply);
                assertEquals(1, contiguous(reply.json(), ch, 1 + i).size(), reply.toString());
            }
        }
    }

    // ---- the cap -------------------------------------------------------------------------------------------------

    @Test
    void anAnswerHoldsAtMostAThousandMessagesAndThePollAfterContinuesFromThere() {
        String ch = channel("cap");
        try (WsClient pub = ws()) {
            String epoch = publishMany(pub, ch, "m", 1_100).get(0).get("epoch").asText();
            JsonNode first = poll(at(ch, epoch, 0));
            List<JsonNode> page = contiguous(first, ch, 0);
            assertEquals(1_000, page.size());
            assertHead(first, ch, epoch, 1_100);
            JsonNode second = poll(at(ch, epoch, 1_000));
            assertEquals(100, contiguous(second, ch, 1_000).size());
            // Across channels, the cap is on the whole answer, and each channel stays a contiguous prefix.
            String small = channel("cap-small");
            publishMany(pub, small, "s", 5);
            JsonNode both = poll(at(small, epoch, 0) + "&" + at(ch, epoch, 50));
            assertEquals(1_000, both.get("messages").size());
            assertEquals(5, contiguous(both, small, 0).size());
            assertEquals(995, contiguous(both, ch, 50).size());
        }
    }

    // ---- both transports -----------------------------------------------------------------------------------------

    @Test
    void aMessageIsIdenticalOverWebSocketAndLongPoll() {
        String ch = channel("same");
        try (WsClient sub = ws(); WsClient pub = ws()) {
            sub.send(sub(ch));
            awaitOn(sub, ch, "subscribed");
            publishAcked(pub, ch, "one", "{\"text\":\"hi\",\"n\":[1,2,{\"x\":null}],\"u\":\"\\u00e9\\ud83d\\ude00\"}");
            JsonNode overWs = awaitOn(sub, ch, "msg");
            JsonNode body = poll(at(ch, overWs.get("epoch").asText(), 0));
            JsonNode overPoll = body.get("messages").get(0);
            assertEquals(overWs, overPoll);
            for (String field : List.of("epoch", "seq", "id", "data", "ts")) {
                assertEquals(overWs.get(field), overPoll.get(field), field);
            }
        }
    }
}
