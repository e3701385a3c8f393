package io.meshgate.edge.websocket;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshgate.edge.testing.TestRegion;
import io.meshgate.edge.testing.WsClient;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.PriorityQueue;
import java.util.Set;

import static io.meshgate.edge.testing.Proto.channel;
import static io.meshgate.edge.testing.Proto.op;
import static io.meshgate.edge.testing.Proto.pub;
import static io.meshgate.edge.testing.Proto.token;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * PROTOCOL.md step 3 (issue 11, item 7): a client that retries a {@code rate_limited} publish only after its
 * {@code retry_ms}, with several publishes in flight, gets every message acked and is never closed 4029, however
 * many nacks it collects; a {@code sub}/{@code unsub} flood gets {@code error rate_limited} with {@code retry_ms}.
 */
class WsRetryMsTest {
    private static final int PER_SECOND = 20;
    private static final int CLOSE_AFTER = 10;
    private static final int IN_FLIGHT = CLOSE_AFTER - 2;
    private static final int MESSAGES = 120;

    @Test
    void aClientThatWaitsRetryMsIsNeverClosed4029() {
        try (TestRegion region = TestRegion.nodes(1).edge(s -> s.withPublishRate(PER_SECOND, CLOSE_AFTER)).start();
             WsClient c = WsClient.connect(region.wsUrl(0), token("patient"))) {
            String ch = channel("retry");
            ArrayDeque<String> unsent = new ArrayDeque<>();
            for (int i = 0; i < MESSAGES; i++) {
                unsent.add("p-" + i);
            }
            PriorityQueue<long[]> retries = new PriorityQueue<>((a, b) -> Long.compare(a[0], b[0]));
            Set<String> acked = new HashSet<>();
            int inFlight = 0;
            int nacks = 0;
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (acked.size() < MESSAGES && System.nanoTime() < deadline && !c.isClosed()) {
                long now = System.nanoTime();
                while (!retries.isEmpty() && retries.peek()[0] <= now && inFlight < IN_FLIGHT) {
                    c.send(pub(ch, "p-" + retries.poll()[1], "1"));
                    inFlight++;
                }
                while (!unsent.isEmpty() && inFlight < IN_FLIGHT && retries.isEmpty()) {
                    c.send(pub(ch, unsent.poll(), "1"));
                    inFlight++;
                }
                long waitNanos = retries.isEmpty() ? Duration.ofSeconds(5).toNanos()
                        : Math.max(1_000_000, retries.peek()[0] - System.nanoTime());
                JsonNode reply = c.await(f -> op(f).equals("ack") || op(f).equals("nack"), Duration.ofNanos(waitNanos));
                if (reply == null) {
                    continue;
                }
                inFlight--;
                if (op(reply).equals("ack")) {
                    acked.add(reply.path("id").asText());
                } else {
                    nacks++;
                    assertEquals("rate_limited", reply.path("code").asText(), reply.toString());
                    long retryMs = reply.path("retry_ms").asLong(-1);
                    assertTrue(retryMs > 0 && retryMs <= 1_000, "retry_ms of " + reply);
                    long id = Long.parseLong(reply.path("id").asText().substring(2));
                    retries.add(new long[] {System.nanoTime() + Duration.ofMillis(retryMs).toNanos(), id});
                }
            }
            assertFalse(c.isClosed(), "closed " + c.closeCode().getNow(null) + " after " + nacks + " nacks");
            assertEquals(MESSAGES, acked.size(), "acked " + acked.size() + " with " + nacks + " nacks");
            assertTrue(nacks > CLOSE_AFTER, "the limit was met often enough to matter: " + nacks + " nacks");
        }
    }

    @Test
    void aSubscribeFloodIsRateLimitedWithRetryMs() {
        try (TestRegion region = TestRegion.nodes(1).edge(s -> s.withGuards(g -> g.withSubscribesPerSecond(5))
                .with(b -> b.rateLimitedCloseAfter = 1000)).start();
             WsClient c = WsClient.connect(region.wsUrl(0), token("churner"))) {
            for (int i = 0; i < 20; i++) {
                c.send("{\"op\":\"sub\",\"ch\":\"churn:" + i + "\"}");
            }
            JsonNode limited = c.await(f -> op(f).equals("error") && f.path("code").asText().equals("rate_limited"));
            assertNotNull(limited, "received " + c.received());
            assertTrue(limited.path("retry_ms").asLong() > 0, limited.toString());
            assertTrue(limited.path("reason").asText().contains("sub and unsub"), limited.toString());
        }
    }
}
