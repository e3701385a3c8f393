package io.meshgate.edge.longpoll;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meshgate.edge.auth.TokenMinter;
import io.meshgate.edge.testing.Metrics;
import io.meshgate.edge.testing.TestRegion;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** A node holds at most longPoll.maxInFlight polls; one more gets 503 unavailable at once, and the others are fine. */
class PollLimitTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void pollsBeyondTheLimitAre503AndTheHeldOnesStillAnswer() throws Exception {
        try (TestRegion region = TestRegion.nodes(1).edge(s -> s.with(b -> b.pollMaxInFlight = 2)).start()) {
            String token = new TokenMinter(TestRegion.SECRET).mint("poller", List.of("*"), List.of("*"),
                    Duration.ofHours(1));
            HttpClient http = HttpClient.newHttpClient();
            String base = region.httpUrl(0);
            CompletableFuture<HttpResponse<String>> first = poll(http, base, token, "lim:a");
            CompletableFuture<HttpResponse<String>> second = poll(http, base, token, "lim:b");
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> Metrics.value(base, "meshgate_poll_inflight", Map.of()) == 2);

            HttpResponse<String> third = poll(http, base, token, "lim:c").join();
            assertEquals(503, third.statusCode());
            JsonNode error = JSON.readTree(third.body());
            assertEquals("error", error.get("op").asText());
            assertEquals("unavailable", error.get("code").asText());
            assertFalse(error.get("reason").asText().isEmpty());

            // The held polls are undisturbed: a message wakes the first with it.
            HttpResponse<String> ack = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/publish"))
                    .header("Authorization", "Bearer " + token)
                    .POST(HttpRequest.BodyPublishers.ofString("{\"ch\":\"lim:a\",\"id\":\"w\",\"data\":1}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, ack.statusCode());
            HttpResponse<String> woken = first.join();
            assertEquals(200, woken.statusCode());
            assertEquals("w", JSON.readTree(woken.body()).get("messages").get(0).get("id").asText());
            // Room again: a new poll is held, not refused.
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> Metrics.value(base, "meshgate_poll_inflight", Map.of()) == 1);
            CompletableFuture<HttpResponse<String>> fourth = poll(http, base, token, "lim:d");
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> Metrics.value(base, "meshgate_poll_inflight", Map.of()) == 2);
            assertFalse(fourth.isDone());
            second.cancel(true);
            fourth.cancel(true);
        }
    }

    @Test
    void oneTokenCannotHoldEverySlotOfTheNode() throws Exception {
        try (TestRegion region = TestRegion.nodes(1).edge(s -> s.with(b -> b.pollMaxInFlight = 10)
                .withGuards(g -> g.withPollMaxInFlightPerClient(2))).start()) {
            TokenMinter minter = new TokenMinter(TestRegion.SECRET);
            String greedy = minter.mint("greedy", List.of("*"), List.of("*"), Duration.ofHours(1));
            String other = minter.mint("other", List.of("*"), List.of("*"), Duration.ofHours(1));
            HttpClient http = HttpClient.newHttpClient();
            String base = region.httpUrl(0);
            List<CompletableFuture<HttpResponse<String>>> held = new java.util.ArrayList<>(List.of(
                    poll(http, base, greedy, "share:a"), poll(http, base, greedy, "share:b")));
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> Metrics.value(base, "meshgate_poll_inflight", Map.of()) == 2);

            HttpResponse<String> third = poll(http, base, greedy, "share:c").join();
            assertEquals(429, third.statusCode(), third.body());
            JsonNode error = JSON.readTree(third.body());
            assertEquals("rate_limited", error.get("code").asText());
            assertEquals(1000, error.get("retry_ms").asLong());
            assertEquals("1", third.headers().firstValue("Retry-After").orElse(null));

            held.add(poll(http, base, other, "share:d"));
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> Metrics.value(base, "meshgate_poll_inflight", Map.of()) == 3);
            assertFalse(held.get(2).isDone(), "another client still gets a slot");
            held.forEach(f -> f.cancel(true));
        }
    }

    private static CompletableFuture<HttpResponse<String>> poll(HttpClient http, String base, String token,
                                                                String channel) {
        return http.sendAsync(HttpRequest.newBuilder(URI.create(base + "/v1/poll?ch=" + channel + "@:0&wait=30"))
                .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
    }
}
