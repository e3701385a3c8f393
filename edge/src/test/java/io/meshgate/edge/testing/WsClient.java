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
    /** Answers the server's {@code ping} with {@code pong}, as a client must; off for tests of silent clients. */
    private final boolean answerPings;
    /** Sends in order, one at a time (the JDK refuses a send while one is pending); guarded by {@code this}. */
    private CompletableFuture<?> lastSend = CompletableFuture.completedFuture(null);

    private WsClient(boolean answerPings) {
        this.answerPings = answerPings;
    }

    public static WsClient open(String url) {
        return open(url, HTTP);
    }

    /** Opens a client that never answers the server's pings (it is dropped after 2 x ping_ms of silence). */
    public static WsClient openSilent(String url) {
        return open(url, HTTP, false);
    }

    /** Opens with a given HTTP client (for wss:// with a test trust store). */
    public static WsClient open(String url, HttpClient http) {
        return open(url, http, true);
    }

    private static WsClient open(String url, HttpClient http, boolean answerPings) {
        WsClient client = new WsClient(answerPings);
        client.socket = http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10))
                .buildAsync(URI.create(url), client.listener()).join();
        return client;
    }

    /** Opens and sends {@code connect}; waits for {@code connected}. */
    public static WsClient connect(String url, String token) {
        return connect(open(url), token);
    }

    /** As {@link #connect}, for a client that never answers the server's pings. */
    public static WsClient connectSilent(String url, String token) {
        return connect(openSilent(url), token);
    }

    private static WsClient connect(WsClient client, String token) {
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
                        if (answerPings && "ping".equals(frame.path("op").asText())) {
                            sendAsync(ws -> ws.sendText("{\"op\":\"pong\"}", true));
                        }
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
        sendAsync(ws -> ws.sendText(text, true)).join();
    }

    private synchronized CompletableFuture<?> sendAsync(java.util.function.Function<WebSocket, CompletionStage<?>> send) {
        CompletableFuture<?> next = lastSend.handle((ignored, failure) -> null)
                .thenCompose(ignored -> send.apply(socket));
        lastSend = next;
        return next;
    }

    /** A binary frame: not part of protocol v1, so the server answers it as bad input. */
    public void sendBinary(byte[] bytes) {
        sendAsync(ws -> ws.sendBinary(java.nio.ByteBuffer.wrap(bytes), true)).join();
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
