package io.meshgate.client;

import com.fasterxml.jackson.databind.JsonNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Protocol v1 over the JDK's WebSocket. The JDK calls the listener on its own threads, one call at a time; each
 * complete frame is parsed there and handed to the conductor, which handles it and only then asks the JDK for the
 * next one ({@code request(1)}), keeping at most {@value #READ_WINDOW} frames in flight. While the application's
 * backlog is full the conductor withholds that request, so the client stops reading rather than queueing.
 *
 * <p>Threads: everything except {@link Reader} runs on the conductor.
 */
final class WebSocketConnection extends BaseConnection {
    private static final Logger LOG = LoggerFactory.getLogger(WebSocketConnection.class);
    private static final int READ_WINDOW = 16;
    private static final long DEFAULT_PING_MS = 15_000;

    private WebSocket socket;
    private boolean finished;
    private boolean connected;
    private long lastFrameMs;
    private long pingMs = DEFAULT_PING_MS;
    private int withheldRequests;
    private CompletableFuture<?> sendTail = CompletableFuture.completedFuture(null);
    private ScheduledFuture<?> connectTimer;
    private ScheduledFuture<?> watchdog;
    /** The token this connection is authorised by now; replaced by each refresh. */
    private String token;
    private ScheduledFuture<?> refreshTimer;

    WebSocketConnection(long id, RankedRegion endpoint, ConnectionContext ctx) {
        super(id, endpoint, ctx);
    }

    @Override
    public Transport transport() {
        return Transport.WEBSOCKET;
    }

    @Override
    public String url() {
        return endpoint.wsUrl();
    }

    @Override
    public void open(String token, String session) {
        this.token = token;
        long timeoutMs = ctx.config().connectTimeoutMs();
        connectTimer = ctx.conductor().schedule(() -> {
            if (!connected) {
                finish(-1, "no connected within " + timeoutMs + " ms");
            }
        }, timeoutMs, TimeUnit.MILLISECONDS);
        ctx.http().newWebSocketBuilder().connectTimeout(Duration.ofMillis(timeoutMs))
                .buildAsync(URI.create(endpoint.wsUrl()), new Reader())
                .whenCompleteAsync((ws, error) -> {
                    if (error != null) {
                        finish(-1, Failures.describe(error));
                    } else if (finished) {
                        ws.abort();
                    } else {
                        socket = ws;
                        lastFrameMs = ctx.config().clock().millis();
                        send(ProtocolFrames.connect(token, session));
                    }
                }, ctx.conductor());
    }

    @Override
    public void subscribe(String channel, Position from) {
        send(ProtocolFrames.subscribe(channel, from));
    }

    @Override
    public void unsubscribe(String channel) {
        send(ProtocolFrames.unsubscribe(channel));
    }

    @Override
    public void publish(PendingPublish publish) {
        send(ProtocolFrames.publish(publish));
    }

    @Override
    public void resumeReading() {
        if (withheldRequests > 0 && socket != null && !finished) {
            socket.request(withheldRequests);
            withheldRequests = 0;
        }
    }

    @Override
    public void close() {
        if (finished) {
            return;
        }
        finished = true;
        cancelTimers();
        WebSocket ws = socket;
        if (ws != null) {
            // After the frames already queued; the server's close reply is not worth waiting for.
            sendTail.handle((ignored, error) -> null)
                    .thenCompose(ignored -> ws.sendClose(WebSocket.NORMAL_CLOSURE, "client closed"))
                    .orTimeout(1, TimeUnit.SECONDS)
                    .whenComplete((ignored, error) -> ws.abort());
        }
    }

    /** Frames go out one after the other: the JDK refuses a send while the previous one is still pending. */
    private void send(String text) {
        WebSocket ws = socket;
        if (ws == null || finished) {
            return;
        }
        sendTail = sendTail.handle((ignored, error) -> null)
                .thenCompose(ignored -> ws.sendText(text, true))
                .whenCompleteAsync((ignored, error) -> {
                    if (error != null) {
                        finish(-1, "send failed: " + Failures.describe(error));
                    }
                }, ctx.conductor());
    }

    private void onFrame(WebSocket ws, JsonNode frame) {
        if (finished) {
            return;
        }
        lastFrameMs = ctx.config().clock().millis();
        handle(frame);
        if (finished) {
            return;
        }
        if (listener.mayRead()) {
            ws.request(1);
        } else {
            withheldRequests++;
        }
    }

    private void handle(JsonNode frame) {
        String op = frame.path("op").asText("");
        switch (op) {
            case "msg" -> listener.onMessage(this, ProtocolFrames.message(frame));
            case "ack" -> listener.onAck(this, ProtocolFrames.ack(frame));
            case "nack" -> listener.onNack(this, ProtocolFrames.text(frame, "ch"), ProtocolFrames.text(frame, "id"),
                    frame.path("code").asText(), frame.path("reason").asText());
            case "subscribed" -> listener.onSubscribed(this, frame.path("ch").asText(),
                    ProtocolFrames.position(frame));
            case "gap" -> listener.onGap(this, frame.path("ch").asText(), frame.path("from").asLong(),
                    frame.path("to").asLong());
            case "ping" -> send(ProtocolFrames.pong());
            case "connected" -> onConnected(frame);
            case "move" -> listener.onMove(this, ProtocolFrames.text(frame, "region"),
                    ProtocolFrames.text(frame, "url"), Math.max(0, frame.path("after_ms").asLong()));
            case "error" -> onError(frame);
            case "refreshed" -> scheduleRefresh();
            case "pong", "unsubscribed" -> {
            }
            default -> LOG.debug("{}: ignoring frame {}", endpoint.wsUrl(), frame);
        }
    }

    private void onConnected(JsonNode frame) {
        connected = true;
        if (connectTimer != null) {
            connectTimer.cancel(false);
        }
        pingMs = frame.path("ping_ms").asLong(DEFAULT_PING_MS);
        if (pingMs <= 0) {
            pingMs = DEFAULT_PING_MS;
        }
        // A connection that stays silent for two ping intervals is dead even if TCP has not noticed.
        long period = Math.max(250, pingMs / 4);
        watchdog = ctx.conductor().scheduleAtFixedRate(() -> {
            long silentMs = ctx.config().clock().millis() - lastFrameMs;
            if (silentMs > 2 * pingMs) {
                finish(-1, "no frame for " + silentMs + " ms (ping_ms " + pingMs + ")");
            }
        }, period, period, TimeUnit.MILLISECONDS);
        scheduleRefresh();
        listener.onConnected(this, ProtocolFrames.text(frame, "region"), ProtocolFrames.text(frame, "node"),
                ProtocolFrames.text(frame, "session"));
    }

    /**
     * Before the current token expires, asks the application's token supplier (on the conductor) for a fresh one
     * and sends it with {@code refresh}; the server's {@code refreshed} schedules the next. A supplier that
     * returns the same token (a fixed token) is not refreshed: the server then closes 4001 at its expiry.
     */
    private void scheduleRefresh() {
        long delayMs = TokenRefresh.delayMs(TokenRefresh.expSeconds(token), ctx.config().clock().millis());
        if (delayMs < 0 || finished) {
            return;
        }
        if (refreshTimer != null) {
            refreshTimer.cancel(false);
        }
        refreshTimer = ctx.conductor().schedule(() -> {
            if (finished) {
                return;
            }
            String fresh;
            try {
                fresh = ctx.config().tokens().get();
            } catch (RuntimeException e) {
                LOG.warn("{}: the token supplier failed; the connection ends at the token's expiry: {}",
                        endpoint.wsUrl(), Failures.describe(e));
                return;
            }
            if (fresh != null && !fresh.equals(token)) {
                token = fresh;
                send(ProtocolFrames.refresh(fresh));
            }
        }, delayMs, TimeUnit.MILLISECONDS);
    }

    private void onError(JsonNode frame) {
        String channel = ProtocolFrames.text(frame, "ch");
        String code = frame.path("code").asText();
        String reason = frame.path("reason").asText();
        if (channel != null && !code.equals("unauthorized")) {
            listener.onSubscribeRefused(this, channel, code, reason);
        } else {
            // unauthorized is followed by close 4001, which is what the conductor acts on.
            LOG.warn("{}: server error {}: {}", endpoint.wsUrl(), code, reason);
        }
    }

    private void finish(int code, String reason) {
        if (finished) {
            return;
        }
        finished = true;
        cancelTimers();
        if (socket != null) {
            socket.abort();
        }
        listener.onClosed(this, code, reason);
    }

    private void cancelTimers() {
        if (connectTimer != null) {
            connectTimer.cancel(false);
        }
        if (watchdog != null) {
            watchdog.cancel(false);
        }
        if (refreshTimer != null) {
            refreshTimer.cancel(false);
        }
    }

    /** The JDK's listener: assembles frames on the JDK's thread and hands each to the conductor. */
    private final class Reader implements WebSocket.Listener {
        private final StringBuilder partial = new StringBuilder();

        @Override
        public void onOpen(WebSocket webSocket) {
            webSocket.request(READ_WINDOW);
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (!last) {
                // A part of a frame needs no decision: ask for the rest at once.
                webSocket.request(1);
                return null;
            }
            String text = partial.toString();
            partial.setLength(0);
            JsonNode frame;
            try {
                frame = Json.MAPPER.readTree(text);
            } catch (Exception e) {
                LOG.warn("{}: unparseable frame ignored: {}", endpoint.wsUrl(), Failures.describe(e));
                webSocket.request(1);
                return null;
            }
            ctx.conductor().execute(() -> onFrame(webSocket, frame));
            return null;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket webSocket, java.nio.ByteBuffer data, boolean last) {
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            ctx.conductor().execute(() -> finish(statusCode, reason == null || reason.isEmpty()
                    ? "closed " + statusCode : "closed " + statusCode + ": " + reason));
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            ctx.conductor().execute(() -> finish(-1, Failures.describe(error)));
        }
    }
}
