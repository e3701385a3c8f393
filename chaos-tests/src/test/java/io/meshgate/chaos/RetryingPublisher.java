package io.meshgate.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshgate.edge.testing.WsClient;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A publisher that behaves like a well-written client: at most {@code window} publishes unacknowledged; when the
 * connection dies it reconnects to the next URL and sends every unacknowledged publish again with the same id
 * (G4 makes that safe). Stops after {@code count} acks or when closed.
 */
final class RetryingPublisher implements AutoCloseable {
    private final List<String> urls;
    private final String token;
    private final String channel;
    private final String prefix;
    private final int count;
    private final int window;
    private final Map<String, Long> acked = new ConcurrentHashMap<>();
    private final Thread thread;
    private volatile boolean stopped;
    private int next;

    RetryingPublisher(List<String> urls, String token, String channel, String prefix, int count,
                      int window) {
        this.urls = List.copyOf(urls);
        this.token = token;
        this.channel = channel;
        this.prefix = prefix;
        this.count = count;
        this.window = window;
        this.thread = new Thread(this::run, "publisher-" + prefix);
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        LinkedHashMap<String, String> unacked = new LinkedHashMap<>();
        int attempt = 0;
        while (!stopped && acked.size() < count) {
            String url = urls.get(attempt++ % urls.size());
            try (WsClient client = WsClient.connect(url, token)) {
                for (Map.Entry<String, String> pending : unacked.entrySet()) {
                    client.send(pending.getValue());
                }
                while (!stopped && acked.size() < count) {
                    while (unacked.size() < window && next < count) {
                        String id = prefix + "-" + next++;
                        String frame = "{\"op\":\"pub\",\"ch\":\"" + channel + "\",\"id\":\"" + id
                                + "\",\"data\":{\"n\":" + (next - 1) + "}}";
                        unacked.put(id, frame);
                        client.send(frame);
                    }
                    JsonNode reply = client.next(Duration.ofMillis(200));
                    if (reply == null) {
                        if (client.isClosed()) {
                            break;
                        }
                        continue;
                    }
                    String op = reply.path("op").asText();
                    String id = reply.path("id").asText();
                    if (op.equals("ack")) {
                        acked.put(id, reply.get("seq").asLong());
                        unacked.remove(id);
                    } else if (op.equals("nack") && unacked.containsKey(id)) {
                        // unavailable or rate limited: send it again (same id) after a moment.
                        pause(50);
                        client.send(unacked.get(id));
                    }
                }
            } catch (RuntimeException | AssertionError e) {
                // Connection refused or dropped: retry on the next node.
            }
            if (!stopped && acked.size() < count) {
                pause(100);
            }
        }
    }

    int ackedCount() {
        return acked.size();
    }

    Map<String, Long> acked() {
        return Map.copyOf(acked);
    }

    private static void pause(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        stopped = true;
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
