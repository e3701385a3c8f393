package io.meshgate.edge.websocket;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshgate.edge.session.Limits;
import io.meshgate.edge.testing.TestRegion;
import io.meshgate.edge.testing.WsClient;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static io.meshgate.edge.testing.Proto.awaitOn;
import static io.meshgate.edge.testing.Proto.op;
import static io.meshgate.edge.testing.Proto.pub;
import static io.meshgate.edge.testing.Proto.sub;
import static io.meshgate.edge.testing.Proto.token;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * Frames larger than one write's buffer ({@link WsConnection#SCRATCH_BYTES}) and bursts of them arrive whole and in
 * order: a write copies a turn's frames into the I/O thread's buffer, so a frame is split across writes and a write
 * ends inside a frame; every byte must still reach the client once, in order.
 */
class LargeFramesTest {
    private static final int MESSAGES = 24;

    @Test
    void framesLargerThanOneWriteArriveWholeAndInOrder() throws Exception {
        int dataChars = 300 * 1024; // a frame of ~300 KiB: more than two writes' worth
        try (TestRegion region = TestRegion.nodes(1)
                .edge(s -> s.withPublishesPerSecond(0).withLimits(new Limits(512 * 1024, 256, 100))
                        .withOutbound(4096, 64L * 1024 * 1024))
                .start();
             WsClient subscriber = WsClient.connect(region.wsUrl(0), token("big"));
             WsClient publisher = WsClient.connect(region.wsUrl(0), token("big-pub"))) {
            String ch = "big.frames";
            subscriber.send(sub(ch));
            long head = awaitOn(subscriber, ch, "subscribed").get("seq").asLong();
            // Pipelined, without waiting for acks: the subscriber's queue holds several frames at once, so one
            // write carries the end of one frame and the start of the next.
            for (int i = 0; i < MESSAGES; i++) {
                publisher.send(pub(ch, "m-" + i, "{\"s\":\"" + body(i, dataChars) + "\"}"));
            }
            await().atMost(Duration.ofSeconds(60)).until(() -> messages(subscriber, ch).size() >= MESSAGES);
            List<JsonNode> got = messages(subscriber, ch);
            assertEquals(MESSAGES, got.size(), "messages received");
            for (int i = 0; i < MESSAGES; i++) {
                JsonNode m = got.get(i);
                assertEquals(head + 1 + i, m.get("seq").asLong(), "seq of message " + i);
                assertEquals(body(i, dataChars), m.path("data").path("s").asText(), "content of message " + i);
            }
            assertFalse(subscriber.isClosed(), "subscriber closed");
        }
    }

    /** A body whose every position depends on {@code i}, so a byte out of place changes it. */
    private static String body(int i, int chars) {
        StringBuilder b = new StringBuilder(chars);
        for (int k = 0; k < chars; k++) {
            b.append((char) ('a' + (k * 31 + i * 7) % 26));
        }
        return b.toString();
    }

    private static List<JsonNode> messages(WsClient client, String ch) {
        return client.received().stream().filter(f -> op(f).equals("msg") && ch.equals(f.path("ch").asText()))
                .toList();
    }
}
