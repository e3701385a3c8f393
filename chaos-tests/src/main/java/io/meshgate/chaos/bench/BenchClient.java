package io.meshgate.chaos.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * One protocol v1 WebSocket connection over the JDK client, as light as it can be: frames are handed to a
 * {@link FrameHandler} with their arrival time, {@code ping} is answered with {@code pong} here, and sends are
 * chained so callers never wait.
 *
 * <p>Threads: the JDK calls the listener methods one at a time per WebSocket (on the HttpClient's executor), so
 * {@link #partial} needs no lock; {@link #send} may be called from any thread and is serialised on {@code this}.
 */
final class BenchClient implements WebSocket.Listener {
    static final ObjectMapper JSON = new ObjectMapper();

    /** Called for every frame except ping, on the connection's listener thread. Must not block. */
    interface FrameHandler {
        void onFrame(BenchClient client, JsonNode frame, long receivedNanos);
    }

    private static final FrameHandler IGNORE = (client, frame, receivedNanos) -> { };

    private final FrameHandler handler;
    private final CompletableFuture<JsonNode> connected = new CompletableFuture<>();
    private final CompletableFuture<Integer> closed = new CompletableFuture<>();
    private final StringBuilder partial = new StringBuilder();
    private CompletableFuture<?> sendTail = CompletableFuture.completedFuture(null); // guarded by this
    private volatile WebSocket socket;
    private volatile String node = "";

    private BenchClient(FrameHandler handler) {
        this.handler = handler == null ? IGNORE : handler;
    }

    /**
     * Opens a WebSocket, sends {@code connect} without a token (insecure mode) and completes when {@code connected}
     * arrives, or exceptionally on any failure or after {@code timeout}.
     */
    static CompletableFuture<BenchClient> connect(HttpClient http, String url, FrameHandler handler,
                                                  Duration timeout) {
        BenchClient client = new BenchClient(handler);
        return http.newWebSocketBuilder().connectTimeout(timeout).buildAsync(URI.create(url), client)
                .thenCompose(ws -> {
                    client.socket = ws;
                    client.send("{\"op\":\"connect\"}");
                    return client.connected;
                })
                .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .whenComplete((ok, failure) -> {
                    if (failure != null) {
                        client.abort();
                    }
                })
                .thenApply(frame -> {
                    client.node = frame.path("node").asText("");
                    return client;
                });
    }

    /** Queues a text frame behind any earlier ones; a failed send does not stop later ones. */
    void send(String text) {
        WebSocket ws = socket;
        if (ws == null || closed.isDone()) {
            return;
        }
        synchronized (this) {
            sendTail = sendTail.handle((v, e) -> null).thenCompose(v -> ws.sendText(text, true));
        }
    }

    /** The node name from {@code connected}. */
    String node() {
        return node;
    }

    CompletableFuture<Integer> closed() {
        return closed;
    }

    /** Drops the socket at once, without a close handshake (the server sees the TCP connection end). */
    void abort() {
        WebSocket ws = socket;
        if (ws != null) {
            ws.abort();
        }
        closed.complete(-1);
    }

    @Override
    public void onOpen(WebSocket webSocket) {
        webSocket.request(1);
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        long now = System.nanoTime();
        if (!last) {
            partial.append(data);
            webSocket.request(1);
            return null;
        }
        String text;
        if (partial.length() > 0) {
            text = partial.append(data).toString();
            partial.setLength(0);
        } else {
            text = data.toString();
        }
        try {
            JsonNode frame = JSON.readTree(text);
            String op = frame.path("op").asText("");
            switch (op) {
                case "ping" -> send("{\"op\":\"pong\"}");
                case "connected" -> connected.complete(frame);
                default -> {
                    if (!connected.isDone() && op.equals("error")) {
                        connected.completeExceptionally(new IllegalStateException("connect refused: " + text));
                    }
                    handler.onFrame(this, frame, now);
                }
            }
        } catch (Exception e) {
            handler.onFrame(this, JSON.createObjectNode().put("op", "__unparseable").put("text", text), now);
        }
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        connected.completeExceptionally(new IllegalStateException("closed " + statusCode + " " + reason));
        closed.complete(statusCode);
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        connected.completeExceptionally(error);
        closed.complete(-1);
    }
}
