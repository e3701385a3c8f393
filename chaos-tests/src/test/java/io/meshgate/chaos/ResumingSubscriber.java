package io.meshgate.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshgate.edge.testing.WsClient;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A subscriber that behaves like a well-written client: when its connection dies it reconnects to the next URL
 * and resumes from the position of the last message it received. Records every message in arrival order.
 */
final class ResumingSubscriber implements AutoCloseable {
    record Received(long seq, String id, String epoch) {
    }

    private final List<String> urls;
    private final String token;
    private final String channel;
    private final List<Received> received = new ArrayList<>();
    private final Thread thread;
    private volatile boolean stopped;
    private volatile boolean subscribedOnce;
    private volatile int reconnects;
    private String epoch;
    private Long lastSeq;

    ResumingSubscriber(List<String> urls, String token, String channel) {
        this.urls = urls;
        this.token = token;
        this.channel = channel;
        this.thread = new Thread(this::run, "subscriber-" + channel + "-" + urls.get(0));
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        int attempt = 0;
        while (!stopped) {
            String url = urls.get(attempt++ % urls.size());
            try (WsClient client = WsClient.connect(url, token)) {
                client.send(lastSeq == null ? "{\"op\":\"sub\",\"ch\":\"" + channel + "\"}"
                        : "{\"op\":\"sub\",\"ch\":\"" + channel + "\",\"from\":{\"epoch\":\"" + epoch + "\",\"seq\":"
                        + lastSeq + "}}");
                while (!stopped) {
                    JsonNode frame = client.next(Duration.ofMillis(200));
                    if (frame == null) {
                        if (client.isClosed()) {
                            break;
                        }
                        continue;
                    }
                    onFrame(frame);
                }
            } catch (RuntimeException | AssertionError e) {
                // The node is down or refused: try the next one after a short back-off.
            }
            if (!stopped) {
                reconnects++;
                pause(100);
            }
        }
    }

    private void onFrame(JsonNode frame) {
        switch (frame.path("op").asText()) {
            case "subscribed" -> {
                subscribedOnce = true;
                if (lastSeq == null) {
                    epoch = frame.get("epoch").asText();
                    lastSeq = frame.get("seq").asLong();
                }
            }
            case "msg" -> {
                synchronized (received) {
                    received.add(new Received(frame.get("seq").asLong(), frame.get("id").asText(),
                            frame.get("epoch").asText()));
                }
                epoch = frame.get("epoch").asText();
                lastSeq = frame.get("seq").asLong();
            }
            default -> {
            }
        }
    }

    boolean subscribed() {
        return subscribedOnce;
    }

    int reconnects() {
        return reconnects;
    }

    List<Received> received() {
        synchronized (received) {
            return new ArrayList<>(received);
        }
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
