package io.meshgate.edge.websocket;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshgate.edge.testing.TestRegion;
import io.meshgate.edge.testing.WsClient;
import io.meshgate.relay.history.HistoryLimits;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static io.meshgate.edge.testing.Proto.channel;
import static io.meshgate.edge.testing.Proto.op;
import static io.meshgate.edge.testing.Proto.pub;
import static io.meshgate.edge.testing.Proto.publishAcked;
import static io.meshgate.edge.testing.Proto.sub;
import static io.meshgate.edge.testing.Proto.awaitOn;
import static io.meshgate.edge.testing.Proto.token;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A publisher's {@code ack} does not wait behind the deliveries queued on its own connection: a subscriber that
 * stopped reading (its queue deep, still far under the 4008 bound) publishes, starts reading again, and gets its
 * {@code ack} before most of the messages that were queued ahead of it, while the messages still arrive every one,
 * in order. The protocol orders an {@code ack} against nothing but itself, so it may overtake them.
 */
class OwnAckAheadOfBacklogTest {
    /** Large frames, so the backlog is many times what the loopback socket's buffers (about 4 MB) can hold. */
    private static final int DATA_CHARS = 48 * 1024;
    private static final int BACKLOG = 400;

    @Test
    void theAckOfAPublishOvertakesTheDeliveriesQueuedOnItsConnection() {
        // A queue large enough that the backlog (about 19 MB) neither pauses delivery (half a queue) nor overflows,
        // and a history that holds the whole run.
        try (TestRegion region = TestRegion.nodes(1)
                .edge(s -> s.withOutbound(100_000, 512L << 20).withPublishesPerSecond(0))
                .history(new HistoryLimits(20_000, 600_000, 256L * 1024 * 1024, 300_000, 100_000))
                .start();
             WsClient backlogged = WsClient.connect(region.wsUrl(0), token("backlogged"));
             WsClient reader = WsClient.connect(region.wsUrl(0), token("reader"));
             WsClient publisher = WsClient.connect(region.wsUrl(0), token("publisher"))) {
            String ch = channel("backlog");
            String own = channel("own");
            backlogged.send(sub(ch));
            awaitOn(backlogged, ch, "subscribed");
            reader.send(sub(ch));
            awaitOn(reader, ch, "subscribed");
            backlogged.pauseReading();

            String data = "{\"text\":\"" + "x".repeat(DATA_CHARS) + "\"}";
            for (int i = 1; i <= BACKLOG; i++) {
                publishAcked(publisher, ch, "m-" + i, data);
            }
            // The feed gives each message to its followers in the order they subscribed: once the reader has them
            // all, the backlogged connection has them all too, in its queue or in its socket.
            await().atMost(Duration.ofSeconds(60)).until(() -> reader.received().stream()
                    .filter(f -> op(f).equals("msg")).count() >= BACKLOG);

            // The backlogged connection publishes; once the reader has that message the ack is queued as well (the
            // ack goes when the message is durable, before or beside its fan-out).
            reader.send(sub(own));
            awaitOn(reader, own, "subscribed");
            backlogged.send(pub(own, "own-1", "{\"n\":1}"));
            awaitOn(reader, own, "msg");
            backlogged.resumeReading();

            await().atMost(Duration.ofSeconds(60)).until(() -> backlogged.received().stream()
                    .filter(f -> op(f).equals("msg")).count() >= BACKLOG
                    && backlogged.received().stream().anyMatch(f -> op(f).equals("ack")));
            List<JsonNode> frames = backlogged.received();
            int messagesBeforeAck = 0;
            long expectedSeq = 1;
            boolean acked = false;
            for (JsonNode f : frames) {
                switch (op(f)) {
                    case "ack" -> {
                        assertEquals("own-1", f.get("id").asText());
                        acked = true;
                    }
                    case "msg" -> {
                        assertEquals(expectedSeq++, f.get("seq").asLong(), "messages in order, each once");
                        if (!acked) {
                            messagesBeforeAck++;
                        }
                    }
                    case "connected", "subscribed", "ping" -> {
                        // the session's and the subscription's start; the server's keep-alive
                    }
                    default -> throw new AssertionError("unexpected " + f);
                }
            }
            assertEquals(BACKLOG + 1, expectedSeq, "every queued message arrived");
            assertTrue(messagesBeforeAck < BACKLOG / 2, "the ack came after " + messagesBeforeAck + " of the "
                    + BACKLOG + " messages queued before it: it waited behind the delivery backlog instead of going"
                    + " out with the next write");
            assertFalse(backlogged.isClosed(), "a client under the bound is not closed");
        }
    }
}
