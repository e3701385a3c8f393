package io.meshgate.edge.websocket;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshgate.edge.testing.TestRegion;
import io.meshgate.edge.testing.WsClient;
import io.meshgate.relay.history.HistoryLimits;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static io.meshgate.edge.testing.Proto.assertAlive;
import static io.meshgate.edge.testing.Proto.awaitOn;
import static io.meshgate.edge.testing.Proto.channel;
import static io.meshgate.edge.testing.Proto.op;
import static io.meshgate.edge.testing.Proto.publish;
import static io.meshgate.edge.testing.Proto.publishAcked;
import static io.meshgate.edge.testing.Proto.sub;
import static io.meshgate.edge.testing.Proto.token;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code history.maxChannels} (issue 11, bounded channel state): past the region's cap, a publish or subscribe that
 * would create a channel gets a clear error naming the key; channels the region holds keep working.
 */
class WsChannelCapTest {
    private static final int CAP = 3;

    @Test
    void newChannelsPastTheRegionsCapAreRefusedAndExistingOnesUnaffected() {
        try (TestRegion region = TestRegion.nodes(1)
                .history(HistoryLimits.DEFAULTS.withMaxChannels(CAP)).start();
             WsClient client = WsClient.connect(region.wsUrl(0), token("capped"))) {
            String held = channel("held");
            publishAcked(client, held, "h-1", "{}");
            for (int i = 1; i < CAP; i++) {
                publishAcked(client, channel("fill"), "f-" + i, "{}");
            }

            // The cap is checked against a count the region takes every second: a publish to a new channel is
            // refused once that count has seen the channels above.
            AtomicReference<JsonNode> nack = new AtomicReference<>();
            AtomicInteger attempt = new AtomicInteger();
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).until(() -> {
                JsonNode reply = publish(client, channel("new"), "n-" + attempt.incrementAndGet(), "{}");
                nack.set(reply);
                return op(reply).equals("nack");
            });
            JsonNode refused = nack.get();
            assertTrue(attempt.get() <= 100, "refused after " + attempt + " attempts");
            assertEquals("unavailable", refused.path("code").asText(), refused.toString());
            assertTrue(refused.path("reason").asText().contains("history.maxChannels"), refused.toString());

            String fresh = channel("fresh");
            client.send(sub(fresh));
            JsonNode error = awaitOn(client, fresh, "error");
            assertEquals("unavailable", error.path("code").asText(), error.toString());
            assertTrue(error.path("reason").asText().contains("history.maxChannels"), error.toString());

            publishAcked(client, held, "h-2", "{}");
            client.send(sub(held));
            assertEquals(2, awaitOn(client, held, "subscribed").path("seq").asLong(), "the held channel still works");
            assertAlive(client);
        }
    }
}
