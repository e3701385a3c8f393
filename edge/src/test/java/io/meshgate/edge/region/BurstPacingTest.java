package io.meshgate.edge.region;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshgate.edge.auth.TokenMinter;
import io.meshgate.edge.testing.TestRegion;
import io.meshgate.edge.testing.WsClient;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.concurrent.CompletableFuture;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * A burst many times larger than a subscriber's outbound bound reaches a subscriber that keeps reading, in order,
 * without closing it: delivery pauses at half a queue and the rest comes from history. (4008 is for readers that
 * stay behind; see SlowConsumerTest.)
 */
class BurstPacingTest {
    private static final int MESSAGES = 600;

    @Test
    void burstLargerThanTheOutboundBoundReachesAReaderThatKeepsUp() {
        try (TestRegion region = TestRegion.nodes(1)
                .edge(s -> s.withOutbound(32, 128 * 1024).withPublishesPerSecond(0)).start()) {
            String token = new TokenMinter(TestRegion.SECRET).mint("burst", List.of("*"), List.of("*"),
                    Duration.ofHours(1));
            String filler = "x".repeat(4096);
            try (WsClient reader = WsClient.connect(region.wsUrl(0), token)) {
                reader.send("{\"op\":\"sub\",\"ch\":\"burst\"}");
                assertNotNull(reader.awaitOp("subscribed"));
                // 600 × 4 KiB ≈ 2.4 MiB published at once over HTTP (so no publisher's ack queue is in the way):
                // the sequencer batches them far beyond the reader's 32-frame / 128 KiB bound.
                HttpClient http = HttpClient.newHttpClient();
                List<CompletableFuture<HttpResponse<String>>> acks = new ArrayList<>();
                for (int i = 1; i <= MESSAGES; i++) {
                    acks.add(http.sendAsync(HttpRequest.newBuilder(URI.create(region.httpUrl(0) + "/v1/publish"))
                            .header("Authorization", "Bearer " + token)
                            .POST(HttpRequest.BodyPublishers.ofString("{\"ch\":\"burst\",\"id\":\"b" + i
                                    + "\",\"data\":{\"i\":" + i + ",\"pad\":\"" + filler + "\"}}")).build(),
                            HttpResponse.BodyHandlers.ofString()));
                }
                for (CompletableFuture<HttpResponse<String>> ack : acks) {
                    assertEquals(200, ack.join().statusCode());
                }
                long expected = 1;
                while (expected <= MESSAGES) {
                    JsonNode msg = reader.await(f -> f.path("op").asText().equals("msg"), Duration.ofSeconds(30));
                    assertNotNull(msg, "message " + expected + " never came; closed with "
                            + reader.closeCode().getNow(null));
                    assertEquals(expected, msg.get("seq").asLong(), "in order, each once");
                    expected++;
                }
                assertFalse(reader.isClosed(), "a reader that keeps up is never closed");
            }
        }
    }
}
