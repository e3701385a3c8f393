package io.meshgate.edge.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A protocol v1 client for tests, over the JDK's WebSocket: records every frame it receives, in order, and can stop
 * reading (to play a slow consumer) and start again.
 */
public final class WsClient implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    private final LinkedBlockingQueue<JsonNode> inbox = new LinkedBlockingQueue<>();
    private final List<JsonNode> all = new ArrayList<>();
    private final CompletableFuture<Integer> closeCode = new CompletableFuture<>();
    private final StringBuilder partial = new StringBuilder();
    private volatile boolean paused;
    private volatile WebSocket socket;

    private WsClient() {
    }

    public static WsClient open(String url) {
        return open(url, HTTP);
    }

    /** Opens with a given HTTP client (for wss:// with a test trust store). */
    public static WsClient open(String url, HttpClient http) {
        WsClient client = new WsClient();
        client.socket = http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10))
                .buildAsync(URI.create(url), client.listener()).join();
        return client;
    }

    /** Opens and sends {@code connect}; waits for {@code connected}. */
    public static WsClient connect(String url, String token) {
        WsClient client = open(url);
        client.send(token == null ? "{\"op\":\"connect\"}" : "{\"op\":\"connect\",\"token\":\"" + token + "\"}");
        JsonNode connected = client.await(f -> f.path("op").asText().equals("connected"));
        if (connected == null) {
            throw new AssertionError("no connected frame");
        }
        return client;
    }

    private WebSocket.Listener listener() {
        return new WebSocket.Listener() {
            @Override
            public void onOpen(WebSocket webSocket) {
                webSocket.request(1);
            }

            @Override
            public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                partial.append(data);
                if (last) {
                    try {
                        JsonNode frame = JSON.readTree(partial.toString());
                        synchronized (all) {
                            all.add(frame);
                        }
                        inbox.add(frame);
                    } catch (Exception e) {
                        inbox.add(JSON.createObjectNode().put("op", "__unparseable").put("text", partial.toString()));
                    }
                    partial.setLength(0);
                }
                if (!paused) {
                    webSocket.request(1);
                }
                return null;
            }

            @Override
            public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
                closeCode.complete(statusCode);
                return null;
            }

            @Override
            public void onError(WebSocket webSocket, Throwable error) {
                closeCode.complete(-1);
            }
        };
    }

    public void send(String text) {
        socket.sendText(text, true).join();
    }

    /** A binary frame: not part of protocol v1, so the server answers it as bad input. */
    public void sendBinary(byte[] bytes) {
        socket.sendBinary(java.nio.ByteBuffer.wrap(bytes), true).join();
    }

    public void sendJson(Object value) {
        try {
            send(JSON.writeValueAsString(value));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The next frame matching {@code match} within 20 s, consuming everything before it; null on time-out. */
    public JsonNode await(Predicate<JsonNode> match) {
        return await(match, Duration.ofSeconds(20));
    }

    public JsonNode await(Predicate<JsonNode> match, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (true) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return null;
                }
                JsonNode next = inbox.poll(left, TimeUnit.NANOSECONDS);
                if (next == null) {
                    return null;
                }
                if (match.test(next)) {
                    return next;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    public JsonNode awaitOp(String op) {
        return await(f -> f.path("op").asText().equals(op));
    }

    /** The next frame, whatever it is, within {@code timeout}; null when none came. */
    public JsonNode next(Duration timeout) {
        return await(f -> true, timeout);
    }

    /** Every frame received so far, in order. */
    public List<JsonNode> received() {
        synchronized (all) {
            return new ArrayList<>(all);
        }
    }

    public void pauseReading() {
        paused = true;
    }

    public void resumeReading() {
        paused = false;
        socket.request(Long.MAX_VALUE);
    }

    public CompletableFuture<Integer> closeCode() {
        return closeCode;
    }

    public boolean isClosed() {
        return closeCode.isDone();
    }

    @Override
    public void close() {
        try {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(2, TimeUnit.SECONDS);
        } catch (Exception ignored) {
            // already closed
        }
        socket.abort();
    }
}
