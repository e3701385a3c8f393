package io.meshgate.browser;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Publishes {@code count} chat messages over {@code POST /v1/publish}, one per tick, each retried with the same id
 * until acked (G4 makes that safe): a second publisher, outside the browser, whose messages the page must also see.
 */
final class HttpPublisher implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "http-publisher");
        t.setDaemon(true);
        return t;
    });
    private final String baseUrl;
    private final String channel;
    private final String idPrefix;
    private final int count;
    private final String region;
    private final Map<String, Long> acked = new ConcurrentHashMap<>();
    private int next = 1;

    private HttpPublisher(String baseUrl, String channel, String idPrefix, int count, String region) {
        this.baseUrl = baseUrl;
        this.channel = channel;
        this.idPrefix = idPrefix;
        this.count = count;
        this.region = region;
    }

    /** Starts publishing at one message per {@code everyMs}; {@code region} goes into each message's data. */
    static HttpPublisher start(String baseUrl, String channel, String idPrefix, int count, String region, long everyMs) {
        HttpPublisher publisher = new HttpPublisher(baseUrl, channel, idPrefix, count, region);
        publisher.ticker.scheduleWithFixedDelay(publisher::tick, 0, everyMs, TimeUnit.MILLISECONDS);
        return publisher;
    }

    /** Runs on the ticker thread only, so {@code next} needs no lock. */
    private void tick() {
        if (next > count) {
            return;
        }
        String id = idPrefix + next;
        ObjectNode data = JSON.createObjectNode().put("name", "http").put("text", id).put("region", region);
        ObjectNode body = JSON.createObjectNode().put("ch", channel).put("id", id).set("data", data);
        try {
            HttpResponse<String> reply = http.send(HttpRequest.newBuilder(URI.create(baseUrl + "/v1/publish"))
                    .timeout(Duration.ofSeconds(10)).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (reply.statusCode() == 200) {
                JsonNode ack = JSON.readTree(reply.body());
                acked.put(id, ack.get("seq").asLong());
                next++;
            }
            // anything else: the same id again on the next tick
        } catch (java.io.IOException e) {
            // the same id again on the next tick
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    boolean done() {
        return acked.size() == count;
    }

    /** Id → acknowledged seq. */
    Map<String, Long> acked() {
        return Map.copyOf(acked);
    }

    @Override
    public void close() {
        ticker.shutdownNow();
    }
}
