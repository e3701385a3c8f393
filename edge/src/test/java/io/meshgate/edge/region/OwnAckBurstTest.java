package io.meshgate.edge.region;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshgate.edge.auth.TokenMinter;
import io.meshgate.edge.testing.TestRegion;
import io.meshgate.edge.testing.WsClient;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A client that pipelines far more publishes than its outbound queue holds, and reads everything, is never closed
 * 4008 by its own acks: the node stops reading its frames while its unanswered publishes would fill the queue, so
 * the burst waits in the socket instead of turning into more replies than the bound allows.
 */
class OwnAckBurstTest {
    private static final int QUEUE_FRAMES = 128;
    private static final int PUBLISHES = 600;

    @Test
    void pipelinedPublishesFarBeyondTheQueueBoundAreAllAckedWithoutClosingTheirSender() {
        try (TestRegion region = TestRegion.nodes(1)
                .edge(s -> s.withOutbound(QUEUE_FRAMES, 4L << 20).withPublishesPerSecond(0)).start()) {
            String token = new TokenMinter(TestRegion.SECRET).mint("pipeliner", List.of("*"), List.of("*"),
                    Duration.ofHours(1));
            try (WsClient client = WsClient.connect(region.wsUrl(0), token)) {
                client.send("{\"op\":\"sub\",\"ch\":\"pipe\"}");
                assertNotNull(client.awaitOp("subscribed"));
                for (int i = 1; i <= PUBLISHES; i++) {
                    client.send("{\"op\":\"pub\",\"ch\":\"pipe\",\"id\":\"p" + i + "\",\"data\":{\"i\":" + i + "}}");
                }
                Set<String> acked = new HashSet<>();
                long expectedSeq = 1;
                while (acked.size() < PUBLISHES || expectedSeq <= PUBLISHES) {
                    JsonNode frame = client.next(Duration.ofSeconds(30));
                    assertNotNull(frame, acked.size() + " acks and " + (expectedSeq - 1)
                            + " messages, then nothing; closed with " + client.closeCode().getNow(null));
                    switch (frame.path("op").asText()) {
                        case "ack" -> assertTrue(acked.add(frame.get("id").asText()), "one ack per publish");
                        case "msg" -> assertEquals(expectedSeq++, frame.get("seq").asLong(), "in order, each once");
                        default -> throw new AssertionError("unexpected " + frame);
                    }
                }
                assertFalse(client.isClosed(), "a client that reads its own acks is never closed for them");
            }
        }
    }
}
