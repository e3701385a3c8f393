package io.meshgate.edge.region;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshgate.edge.testing.WsClient;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import static io.meshgate.edge.region.RegionTests.isOp;

/**
 * A publisher that behaves as protocol v1 tells clients to: keeps up to {@code window} publishes in flight on one
 * WebSocket, and when the connection drops (or a publish is nacked {@code unavailable}) reconnects to the next
 * node in its list and sends every unacknowledged publish again, in order, with the same id (G4 makes that safe).
 * Publishes ids {@code <prefix>0, <prefix>1, ...} up to its current {@link #allow allowance} (so a fast publisher
 * cannot run arbitrarily far ahead of a slow one), until {@link #stop} or {@code maxMessages}, for at most
 * {@code timeLimit}. Run it on its own thread.
 */
final class ResilientPublisher implements Runnable {
    private final List<String> wsUrls;
    private final String token;
    private final String channel;
    private final String prefix;
    private final int window;
    private final int maxMessages;
    private final long deadlineNanos;

    private final Map<String, JsonNode> acks = new ConcurrentHashMap<>();
    private final List<JsonNode> nacks = Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger reconnects = new AtomicInteger();
    private volatile int allowance;
    /** Longest wait between two acks while publishes were in flight; reported, never asserted. */
    private volatile long longestStallNanos;
    private volatile boolean stopping;
    private volatile boolean finished;
    private volatile Throwable failure;

    /** Sent and not acknowledged, in send order. Publisher thread only. */
    private final LinkedHashMap<String, JsonNode> unacked = new LinkedHashMap<>();
    private int urlIndex;
    private boolean broken;
    private int next;

    ResilientPublisher(List<String> wsUrls, String token, String channel, String prefix, int window,
                       int maxMessages, Duration timeLimit) {
        this.wsUrls = wsUrls;
        this.token = token;
        this.channel = channel;
        this.prefix = prefix;
        this.window = window;
        this.maxMessages = maxMessages;
        this.deadlineNanos = System.nanoTime() + timeLimit.toNanos();
    }

    @Override
    public void run() {
        WsClient client = null;
        long lastProgress = System.nanoTime();
        try {
            while (System.nanoTime() < deadlineNanos) {
                if (unacked.isEmpty() && (stopping || next >= maxMessages)) {
                    break;
                }
                if (client == null || client.isClosed() || broken) {
                    broken = false;
                    if (client != null) {
                        client.close();
                        urlIndex = (urlIndex + 1) % wsUrls.size();
                        reconnects.incrementAndGet();
                    }
                    client = connect();
                    if (client == null) {
                        continue;
                    }
                    for (Map.Entry<String, JsonNode> pending : unacked.entrySet()) {
                        send(client, pending.getKey(), pending.getValue());
                    }
                }
                while (!stopping && next < Math.min(allowance, maxMessages) && unacked.size() < window) {
                    String id = prefix + next++;
                    JsonNode data = RegionTests.data(id);
                    unacked.put(id, data);
                    send(client, id, data);
                }
                if (unacked.isEmpty()) {
                    lastProgress = System.nanoTime();
                }
                JsonNode reply = client.await(f -> isOp(f, "ack") || isOp(f, "nack"), Duration.ofMillis(500));
                long now = System.nanoTime();
                if (!unacked.isEmpty()) {
                    longestStallNanos = Math.max(longestStallNanos, now - lastProgress);
                }
                if (reply == null) {
                    continue;
                }
                lastProgress = now;
                String id = reply.path("id").asText();
                if (isOp(reply, "ack")) {
                    JsonNode earlier = acks.putIfAbsent(id, reply);
                    if (earlier != null && (earlier.get("seq").asLong() != reply.get("seq").asLong()
                            || !earlier.get("epoch").asText().equals(reply.get("epoch").asText()))) {
                        throw new AssertionError("G4: " + id + " acked as " + earlier + " and as " + reply);
                    }
                    unacked.remove(id);
                } else {
                    nacks.add(reply);
                    if (!"unavailable".equals(reply.path("code").asText())) {
                        throw new AssertionError("publish refused for good: " + reply);
                    }
                    // "Retry later, same id": through a new connection (to the next node), which sends every
                    // unacknowledged publish again in order, so this one does not overtake those after it.
                    broken = true;
                }
            }
            if (!unacked.isEmpty()) {
                throw new AssertionError(prefix + ": still unacknowledged at the time limit: " + unacked.keySet());
            }
        } catch (Throwable t) {
            failure = t;
        } finally {
            if (client != null) {
                client.close();
            }
            finished = true;
        }
    }

    /** Sends a publish; a socket that cannot take it counts as dropped (the publish stays unacknowledged). */
    private void send(WsClient client, String id, JsonNode data) {
        if (broken) {
            return;
        }
        try {
            client.send(RegionTests.pub(channel, id, data));
        } catch (RuntimeException e) {
            broken = true;
        }
    }

    private WsClient connect() {
        try {
            return WsClient.connect(wsUrls.get(urlIndex), token);
        } catch (RuntimeException | AssertionError e) {
            urlIndex = (urlIndex + 1) % wsUrls.size();
            reconnects.incrementAndGet();
            return null;
        }
    }

    /** Lets it publish until {@code total} publishes were sent in all. */
    void allow(int total) {
        allowance = Math.max(allowance, total);
    }

    void stop() {
        stopping = true;
    }

    boolean finished() {
        return finished;
    }

    Throwable failure() {
        return failure;
    }

    /** Acknowledgements received so far, by id. */
    Map<String, JsonNode> acks() {
        return acks;
    }

    List<JsonNode> nacks() {
        synchronized (nacks) {
            return new ArrayList<>(nacks);
        }
    }

    long longestStallMs() {
        return longestStallNanos / 1_000_000;
    }

    int reconnects() {
        return reconnects.get();
    }

    String prefix() {
        return prefix;
    }
}
