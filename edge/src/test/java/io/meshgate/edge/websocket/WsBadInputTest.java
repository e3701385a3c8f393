package io.meshgate.edge.websocket;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshgate.edge.testing.TestRegion;
import io.meshgate.edge.testing.WsClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import static io.meshgate.edge.testing.Proto.assertAlive;
import static io.meshgate.edge.testing.Proto.assertAllErrorsHaveReasons;
import static io.meshgate.edge.testing.Proto.assertError;
import static io.meshgate.edge.testing.Proto.assertNack;
import static io.meshgate.edge.testing.Proto.awaitOp;
import static io.meshgate.edge.testing.Proto.op;
import static io.meshgate.edge.testing.Proto.token;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * PROTOCOL.md, WebSocket steps 5 (client ping) and 7: bad input gets {@code error bad_request} with a reason and the
 * connection stays open; the tenth bad frame within a minute closes 4400, nine do not. Binary frames are bad input.
 */
class WsBadInputTest {
    static TestRegion region;
    static String all;

    /** Ten different kinds of bad frame, each answered with an error (or a nack) and each counted. */
    private static final List<Consumer<WsClient>> BAD_FRAMES = List.of(
            c -> c.send("this is not json"),
            c -> c.send("[1,2,3]"),
            c -> c.send("\"just a string\""),
            c -> c.send("{\"no\":\"op\"}"),
            c -> c.send("{\"op\":42}"),
            c -> c.send("{\"op\":\"explode\"}"),
            c -> c.sendBinary("{\"op\":\"ping\"}".getBytes(StandardCharsets.UTF_8)),
            c -> c.send("{\"op\":\"connect\",\"token\":\"" + all + "\"}"),
            c -> c.send("{\"op\":\"sub\",\"ch\":\"bad channel\"}"),
            c -> c.send("{\"op\":\"pub\",\"ch\":\"fine\",\"data\":1}"));

    @BeforeAll
    static void start() {
        region = TestRegion.nodes(1).start();
        all = token("clumsy");
    }

    @AfterAll
    static void stop() {
        region.close();
    }

    private static WsClient client() {
        return WsClient.connect(region.wsUrl(0), all);
    }

    /** The error or nack the last bad frame caused. */
    private static JsonNode awaitComplaint(WsClient c) {
        JsonNode f = c.await(x -> op(x).equals("error") || op(x).equals("nack"));
        assertNotNull(f, "no error for a bad frame; received " + c.received());
        return f;
    }

    @Test
    void clientPingIsAnsweredPong() {
        try (WsClient c = client()) {
            c.send("{\"op\":\"ping\"}");
            JsonNode pong = awaitOp(c, "pong");
            assertEquals("{\"op\":\"pong\"}", pong.toString());
        }
    }

    @Test
    void everyKindOfBadFrameGetsAnErrorWithAReasonAndTheConnectionStaysOpen() {
        for (int i = 0; i < BAD_FRAMES.size(); i++) {
            try (WsClient c = client()) {
                BAD_FRAMES.get(i).accept(c);
                JsonNode complaint = awaitComplaint(c);
                if (op(complaint).equals("nack")) {
                    assertNack(complaint, null, "fine", "bad_request");
                } else {
                    String code = complaint.path("code").asText();
                    assertTrue(code.equals("bad_request") || code.equals("bad_channel"), complaint.toString());
                    assertError(complaint, code);
                }
                assertAlive(c);
            }
        }
    }

    @Test
    void aBinaryFrameIsAnErrorAndTheConnectionStaysOpen() {
        try (WsClient c = client()) {
            c.sendBinary(new byte[] {1, 2, 3});
            assertError(awaitOp(c, "error"), "bad_request");
            assertAlive(c);
        }
    }

    @Test
    void aFrameWithTrailingGarbageIsNotValidJsonAndIsNotActedOn() {
        try (WsClient c = client()) {
            c.send("{\"op\":\"ping\"} {\"op\":\"ping\"}");
            assertError(awaitOp(c, "error"), "bad_request");
            c.send("{\"op\":\"sub\",\"ch\":\"trailing\"}]");
            assertError(awaitOp(c, "error"), "bad_request");
            assertFalse(c.received().stream().anyMatch(f -> op(f).equals("pong") || op(f).equals("subscribed")),
                    "a malformed frame was acted on: " + c.received());
            assertAlive(c);
        }
    }

    @Test
    void nineBadFramesDoNotClose() {
        try (WsClient c = client()) {
            for (int i = 0; i < 9; i++) {
                BAD_FRAMES.get(i).accept(c);
                awaitComplaint(c);
            }
            assertAlive(c);
            assertFalse(c.isClosed());
            assertAllErrorsHaveReasons(c);
        }
    }

    @Test
    void theTenthBadFrameWithinAMinuteCloses4400() throws Exception {
        try (WsClient c = client()) {
            for (int i = 0; i < 9; i++) {
                BAD_FRAMES.get(i).accept(c);
                awaitComplaint(c);
            }
            assertAlive(c); // good frames in between do not reset the count
            BAD_FRAMES.get(9).accept(c);
            assertEquals(4400, c.closeCode().get(20, TimeUnit.SECONDS), "received " + c.received());
            assertAllErrorsHaveReasons(c);
        }
    }

    @Test
    void tenBadFramesOfTheSameKindClose4400() throws Exception {
        try (WsClient c = client()) {
            for (int i = 0; i < 10; i++) {
                c.send("{\"op\":\"nope\"}");
            }
            assertEquals(4400, c.closeCode().get(20, TimeUnit.SECONDS), "received " + c.received());
            long errors = c.received().stream().filter(f -> op(f).equals("error")).count();
            assertTrue(errors >= 9, "each bad frame before the close was answered: " + c.received());
        }
    }
}
