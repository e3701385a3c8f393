package io.meshgate.edge.websocket;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.meshgate.edge.auth.Principal;
import io.meshgate.edge.auth.TokenRejectedException;
import io.meshgate.edge.protocol.CloseCode;
import io.meshgate.edge.protocol.ErrorCode;
import io.meshgate.edge.protocol.Frames;
import io.meshgate.edge.protocol.Json;
import io.meshgate.edge.server.EdgeContext;
import io.meshgate.edge.server.EdgeSettings;
import io.meshgate.edge.session.ProtocolException;
import io.meshgate.edge.session.PublishCommand;
import io.meshgate.edge.session.ResumePosition;
import io.meshgate.edge.session.RetryDiscipline;
import io.meshgate.edge.session.RetryTimes;
import io.meshgate.relay.channel.ChannelNames;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Protocol v1 for one WebSocket. Frames arrive on the socket's I/O thread, one at a time; nothing here blocks.
 * {@link #tick} runs on the endpoint's sweeper thread and only reads volatile timestamps and sends. Answers to the
 * client's own requests ({@code ack}, {@code nack}, {@code error}) go by {@link WsConnection#sendReply}, ahead of
 * queued deliveries (the protocol orders none of them against messages); {@code connected}, {@code subscribed},
 * {@code unsubscribed} and everything else the protocol orders against a channel's messages go by
 * {@link WsConnection#send}, in order with them.
 */
final class WsSession {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Pattern SESSION_ID = Pattern.compile("^[A-Za-z0-9_-]{1,64}$");
    private static final long MINUTE_MS = 60_000;

    private enum State { AWAITING_CONNECT, CONNECTED, CLOSED }

    private final EdgeContext ctx;
    private final EdgeSettings settings;
    private final WsConnection connection;
    private final WebSocketEndpoint endpoint;
    private final Map<String, WsSubscription> subscriptions = new ConcurrentHashMap<>();
    private final ArrayDeque<Long> badFrames = new ArrayDeque<>();
    private final RetryDiscipline retries;
    private final RateLimiter publishLimiter;
    /** sub and unsub frames: each may make the region create or drop a channel's state. */
    private final RateLimiter subscribeLimiter;
    private final long openedAtMs;
    private final PublishWindow publishWindow;

    private volatile State state = State.AWAITING_CONNECT;
    private volatile long lastReceivedMs;
    private volatile long lastPingSentMs;
    /** When the token's authorisation ends ({@code exp} + skew); read by {@link #tick}, written on the I/O thread. */
    private volatile long validUntilMs = Long.MAX_VALUE;
    private Principal principal;

    WsSession(EdgeContext ctx, WsConnection connection, WebSocketEndpoint endpoint) {
        this.ctx = ctx;
        this.settings = ctx.settings();
        this.connection = connection;
        this.endpoint = endpoint;
        this.openedAtMs = ctx.clock().millis();
        this.publishWindow = new PublishWindow(connection.channel(), settings.outboundMaxFrames());
        this.lastReceivedMs = openedAtMs;
        this.lastPingSentMs = openedAtMs;
        this.publishLimiter = settings.publishesPerSecond() <= 0 ? null : RateLimiter.of("ws-publish",
                RateLimiterConfig.custom().limitForPeriod(settings.publishesPerSecond())
                        .limitRefreshPeriod(Duration.ofSeconds(1)).timeoutDuration(Duration.ZERO).build());
        this.subscribeLimiter = RateLimiter.of("ws-subscribe", RateLimiterConfig.custom()
                .limitForPeriod(settings.guards().subscribesPerSecond()).limitRefreshPeriod(Duration.ofSeconds(1))
                .timeoutDuration(Duration.ZERO).build());
        this.retries = new RetryDiscipline(settings.rateLimitedCloseAfter(), ctx.clock());
    }

    // ---- inbound -----------------------------------------------------------------------------------------------

    void onText(String text) {
        if (state == State.CLOSED || connection.isClosing()) {
            return;
        }
        lastReceivedMs = ctx.clock().millis();
        JsonNode frame;
        try {
            frame = Json.MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            badFrame(ErrorCode.BAD_REQUEST, null, "frame is not valid JSON");
            return;
        }
        if (frame == null || !frame.isObject()) {
            badFrame(ErrorCode.BAD_REQUEST, null, "frame must be a JSON object");
            return;
        }
        JsonNode opNode = frame.get("op");
        String op = opNode != null && opNode.isTextual() ? opNode.asText() : null;
        if (state == State.AWAITING_CONNECT) {
            if (!"connect".equals(op)) {
                unauthorized("the first frame must be {\"op\":\"connect\",\"token\":...}");
                return;
            }
            onConnect(frame);
            return;
        }
        if (op == null) {
            badFrame(ErrorCode.BAD_REQUEST, null, "frame has no \"op\" string");
            return;
        }
        switch (op) {
            case "pub" -> onPublish(frame);
            case "sub" -> {
                if (subscribePermitted(frame)) {
                    onSubscribe(frame);
                }
            }
            case "unsub" -> {
                if (subscribePermitted(frame)) {
                    onUnsubscribe(frame);
                }
            }
            case "refresh" -> onRefresh(frame);
            case "ping" -> connection.send(Frames.pong());
            case "pong" -> {
                // lastReceivedMs already counts it.
            }
            case "connect" -> badFrame(ErrorCode.BAD_REQUEST, null, "already connected");
            default -> badFrame(ErrorCode.BAD_REQUEST, null, "unknown op \"" + abbreviate(op) + "\"");
        }
    }

    /**
     * A text message larger than the frame limit, of which only a prefix was kept. A {@code pub} gets
     * {@code nack too_large} (connection open, no seq used); anything else an {@code error too_large}, counted as a
     * bad frame.
     */
    void onOversize(OversizeFrame frame) {
        if (state == State.CLOSED || connection.isClosing()) {
            return;
        }
        lastReceivedMs = ctx.clock().millis();
        String reason = "frame of " + frame.chars() + " characters is larger than the limit of "
                + settings.limits().maxFrameBytes() + "; data may be at most " + settings.limits().maxDataBytes()
                + " bytes";
        if (state == State.CONNECTED && "pub".equals(frame.op())) {
            String channel = ChannelNames.isValid(frame.channel()) ? frame.channel() : null;
            connection.sendReply(ctx.publishes().nack(frame.id(), channel, ErrorCode.TOO_LARGE, reason).frame());
            return;
        }
        badFrame(ErrorCode.TOO_LARGE, null, reason);
    }

    void onBinary() {
        if (state != State.CLOSED) {
            lastReceivedMs = ctx.clock().millis();
            badFrame(ErrorCode.BAD_REQUEST, null, "binary frames are not part of protocol v1; send JSON text");
        }
    }

    private void onConnect(JsonNode frame) {
        JsonNode tokenNode = frame.get("token");
        String token = tokenNode != null && tokenNode.isTextual() ? tokenNode.asText() : null;
        try {
            principal = ctx.tokens().verify(token);
        } catch (TokenRejectedException e) {
            unauthorized(e.reason());
            return;
        }
        JsonNode sessionNode = frame.get("session");
        String session = sessionNode != null && sessionNode.isTextual()
                && SESSION_ID.matcher(sessionNode.asText()).matches() ? sessionNode.asText() : newSessionId();
        validUntilMs = principal.validUntilMs();
        // Queued before the state changes, so the sweeper's first ping can only come after it.
        connection.send(Frames.connected(session, settings.region(), settings.node(), settings.pingMs()));
        state = State.CONNECTED;
        endpoint.onConnected();
        endpoint.moveIfLeaving(this);
    }

    private void onPublish(JsonNode frame) {
        PublishCommand command;
        try {
            command = PublishCommand.parse(frame, settings.limits());
        } catch (PublishCommand.PublishRejected e) {
            connection.sendReply(ctx.publishes().nack(e.id(), e.channel(), e.code(), e.reason()).frame());
            if (e.code() != ErrorCode.TOO_LARGE) {
                countBadFrame();
            }
            return;
        }
        if (publishLimiter != null && !publishLimiter.acquirePermission()) {
            rateLimited(command, "more than " + settings.publishesPerSecond() + " publishes per second on this"
                    + " connection", RetryTimes.retryMs(publishLimiter));
            return;
        }
        long clientRetryMs = ctx.clientLimits().tryAcquireOrRetryMs(principal);
        if (clientRetryMs > 0) {
            rateLimited(command, "more than " + settings.clientPublishesPerSecond() + " publishes per second for client "
                    + principal.subject() + " at this node, over all its connections", clientRetryMs);
            return;
        }
        publishWindow.opened();
        ctx.publishes().publish(principal, command).whenComplete((reply, failure) -> {
            if (reply != null) {
                connection.sendReply(reply.frame());
            }
            publishWindow.answered();
        });
    }

    private void rateLimited(PublishCommand command, String reason, long retryMs) {
        connection.sendReply(RetryTimes.withRetryMs(ctx.publishes().nack(command.id(), command.channel(),
                ErrorCode.RATE_LIMITED, reason).frame(), retryMs));
        countRateLimited(retryMs);
    }

    /** True when this sub/unsub is within the connection's rate; otherwise answered {@code rate_limited}. */
    private boolean subscribePermitted(JsonNode frame) {
        if (subscribeLimiter.acquirePermission()) {
            return true;
        }
        long retryMs = RetryTimes.retryMs(subscribeLimiter);
        JsonNode ch = frame.get("ch");
        String channel = ch != null && ch.isTextual() && ChannelNames.isValid(ch.asText()) ? ch.asText() : null;
        connection.sendReply(RetryTimes.withRetryMs(Frames.error(ErrorCode.RATE_LIMITED, channel, "more than "
                + settings.guards().subscribesPerSecond() + " sub and unsub frames per second on this connection"),
                retryMs));
        countRateLimited(retryMs);
        return false;
    }

    /**
     * {@code refresh}: a fresh token for the same {@code sub} extends the connection's authorisation and replaces
     * its capabilities; subscriptions the new token no longer allows end with {@code error forbidden}.
     */
    private void onRefresh(JsonNode frame) {
        JsonNode tokenNode = frame.get("token");
        Principal fresh;
        try {
            fresh = ctx.tokens().verify(tokenNode != null && tokenNode.isTextual() ? tokenNode.asText() : null);
        } catch (TokenRejectedException e) {
            unauthorized(e.reason());
            return;
        }
        if (!fresh.subject().equals(principal.subject())) {
            unauthorized("the refreshed token names another sub");
            return;
        }
        principal = fresh;
        validUntilMs = fresh.validUntilMs();
        connection.send("{\"op\":\"refreshed\",\"exp\":" + fresh.expiresAtSeconds() + "}");
        for (String channel : java.util.List.copyOf(subscriptions.keySet())) {
            if (!fresh.canSubscribe(channel)) {
                WsSubscription ended = subscriptions.remove(channel);
                if (ended != null) {
                    ended.end(Frames.error(ErrorCode.FORBIDDEN, channel,
                            "the refreshed token does not allow subscribing to " + channel));
                }
            }
        }
    }

    private void onSubscribe(JsonNode frame) {
        String channel = channelOf(frame);
        if (channel == null) {
            return;
        }
        if (!principal.canSubscribe(channel)) {
            connection.sendReply(Frames.error(ErrorCode.FORBIDDEN, channel,
                    "the token does not allow subscribing to " + channel));
            return;
        }
        if (subscriptions.containsKey(channel)) {
            connection.sendReply(Frames.error(ErrorCode.BAD_REQUEST, channel,
                    "already subscribed to " + channel + "; unsub first to subscribe again"));
            return;
        }
        if (subscriptions.size() >= settings.limits().maxChannelsPerConnection()) {
            connection.sendReply(Frames.error(ErrorCode.BAD_REQUEST, channel, "this connection already holds "
                    + settings.limits().maxChannelsPerConnection() + " subscriptions, the limit"));
            return;
        }
        ResumePosition from = null;
        JsonNode fromNode = frame.get("from");
        if (fromNode != null && !fromNode.isNull()) {
            try {
                from = ResumePosition.fromJson(fromNode, channel);
            } catch (ProtocolException e) {
                badFrame(e.code(), channel, e.reason());
                return;
            }
        }
        WsSubscription[] holder = new WsSubscription[1];
        WsSubscription subscription = new WsSubscription(channel, connection,
                () -> subscriptions.remove(channel, holder[0]));
        holder[0] = subscription;
        subscriptions.put(channel, subscription);
        subscription.bind(ctx.feeds().subscribe(channel, from == null ? null : from.seq(), subscription));
    }

    private void onUnsubscribe(JsonNode frame) {
        String channel = channelOf(frame);
        if (channel == null) {
            return;
        }
        WsSubscription subscription = subscriptions.remove(channel);
        if (subscription != null) {
            subscription.end(Frames.unsubscribed(channel));
        } else {
            connection.send(Frames.unsubscribed(channel));
        }
    }

    /** The frame's valid channel name, or null after answering {@code bad_channel}. */
    private String channelOf(JsonNode frame) {
        JsonNode ch = frame.get("ch");
        if (ch == null || !ch.isTextual()) {
            badFrame(ErrorCode.BAD_CHANNEL, null, "\"ch\" must be a channel name string");
            return null;
        }
        if (!ChannelNames.isValid(ch.asText())) {
            badFrame(ErrorCode.BAD_CHANNEL, ch.asText().length() <= 128 ? ch.asText() : null,
                    "channel names match ^[A-Za-z0-9_.:\\-]{1,128}$");
            return null;
        }
        return ch.asText();
    }

    // ---- limits ------------------------------------------------------------------------------------------------

    private void badFrame(ErrorCode code, String channel, String reason) {
        connection.sendReply(Frames.error(code, channel, reason));
        countBadFrame();
    }

    private void countBadFrame() {
        ctx.meters().counter("meshgate.ws.bad_frames").increment();
        if (overLimit(badFrames, MINUTE_MS, settings.badFramesPerMinute())) {
            close(CloseCode.BAD_INPUT, "too many bad frames");
        }
    }

    private void countRateLimited(long retryMs) {
        if (retries.refused(retryMs)) {
            close(CloseCode.RATE_LIMITED, "rate limit exceeded repeatedly without waiting retry_ms");
        }
    }

    /** Records an event now; true when the window holds {@code limit} events or more. */
    private boolean overLimit(ArrayDeque<Long> window, long windowMs, int limit) {
        long now = ctx.clock().millis();
        window.addLast(now);
        while (!window.isEmpty() && window.peekFirst() <= now - windowMs) {
            window.removeFirst();
        }
        return window.size() >= limit;
    }

    private void unauthorized(String reason) {
        // A reply, written before anything still queued; the close frame still comes after all of it.
        connection.sendReply(Frames.error(ErrorCode.UNAUTHORIZED, reason));
        close(CloseCode.UNAUTHORIZED, "unauthorized");
    }

    // ---- lifecycle ---------------------------------------------------------------------------------------------

    /** Called by the sweeper about once a second. */
    void tick(long now) {
        if (state == State.AWAITING_CONNECT && now - openedAtMs >= settings.connectTimeoutMs()) {
            close(CloseCode.UNAUTHORIZED, "no connect within " + settings.connectTimeoutMs() + " ms");
        } else if (state == State.CONNECTED) {
            if (now >= validUntilMs) {
                if (!connection.isClosing()) {
                    unauthorized("token expired");
                }
            } else if (now - lastReceivedMs > 2 * settings.pingMs()) {
                close(1001, "no answer to ping within " + 2 * settings.pingMs() + " ms");
            } else if (now - lastPingSentMs >= settings.pingMs()) {
                lastPingSentMs = now;
                connection.send(Frames.ping());
            }
        }
    }

    void move(String reason, String region, String url, long afterMs) {
        if (state == State.CLOSED) {
            return;
        }
        connection.send(Frames.move(reason, region, url, afterMs));
        close(CloseCode.MOVED, "moved: " + reason);
    }

    void close(int code, String reason) {
        if (!connection.isClosing()) {
            ctx.meters().counter("meshgate.ws.closed", "code", Integer.toString(code)).increment();
        }
        connection.close(code, reason);
    }

    void onSlowConsumer() {
        ctx.meters().counter("meshgate.ws.closed", "code", Integer.toString(CloseCode.SLOW_CONSUMER)).increment();
    }

    /** The socket is gone: stop every subscription. */
    void onClosed() {
        boolean wasConnected = state == State.CONNECTED;
        state = State.CLOSED;
        subscriptions.values().forEach(s -> s.end(null));
        subscriptions.clear();
        endpoint.onClosed(this, wasConnected);
    }

    private static String newSessionId() {
        byte[] bytes = new byte[12];
        RANDOM.nextBytes(bytes);
        return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static String abbreviate(String s) {
        return s.length() <= 32 ? s : s.substring(0, 32) + "...";
    }
}
