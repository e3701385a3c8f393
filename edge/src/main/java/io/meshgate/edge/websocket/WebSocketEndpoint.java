package io.meshgate.edge.websocket;

import io.meshgate.edge.protocol.CloseCode;
import io.meshgate.edge.protocol.ErrorCode;
import io.meshgate.edge.protocol.Frames;
import io.meshgate.edge.server.EdgeContext;
import io.undertow.server.HttpHandler;
import io.undertow.websockets.WebSocketConnectionCallback;
import io.undertow.websockets.WebSocketProtocolHandshakeHandler;
import io.undertow.websockets.core.CloseMessage;
import io.undertow.websockets.core.AbstractReceiveListener;
import io.undertow.websockets.core.BufferedBinaryMessage;
import io.undertow.websockets.core.BufferedTextMessage;
import io.undertow.websockets.core.StreamSourceFrameChannel;
import io.undertow.websockets.core.WebSocketCallback;
import io.undertow.websockets.core.WebSocketChannel;
import io.undertow.websockets.spi.WebSocketHttpExchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Accepts WebSockets at {@code /v1/ws}, keeps the set of live sessions, pings them, and moves or closes them all
 * when the node drains or stops.
 */
public final class WebSocketEndpoint implements WebSocketConnectionCallback, ClientMover {
    private static final Logger LOG = LoggerFactory.getLogger(WebSocketEndpoint.class);
    /** How much of a too-large text message is kept to read its op, channel and id from. */
    private static final int OVERSIZE_PREFIX_CHARS = 64 * 1024;

    private final EdgeContext ctx;
    private final Set<WsSession> sessions = ConcurrentHashMap.newKeySet();
    private final AtomicInteger connected = new AtomicInteger();
    private final WsConnection.WriteMeters writeMeters;
    private final PumpQueue.PerThread pumps = new PumpQueue.PerThread();
    /** Every mover's order in force, oldest first; guarded by itself. */
    private final java.util.LinkedHashMap<Object, MoveOrder> orders = new java.util.LinkedHashMap<>();
    /** The newest order in {@link #orders}, null when none: read without the lock by every connecting client. */
    private volatile MoveOrder movingAway;

    public WebSocketEndpoint(EdgeContext ctx) {
        this.ctx = ctx;
        this.writeMeters = WsConnection.WriteMeters.of(ctx.meters());
        ctx.meters().gauge("meshgate.ws.connections", connected);
        ctx.meters().gauge("meshgate.ws.sockets", sessions, Set::size);
        long sweepMs = Math.max(100, Math.min(1000, ctx.settings().pingMs() / 4));
        ctx.timer().scheduleWithFixedDelay(this::sweep, sweepMs, sweepMs, TimeUnit.MILLISECONDS);
    }

    @Override
    public void onConnect(WebSocketHttpExchange exchange, WebSocketChannel channel) {
        WsSession[] session = new WsSession[1];
        WsConnection connection = new WsConnection(channel, pumps.of(channel.getIoThread()),
                ctx.settings().outboundMaxFrames(),
                ctx.settings().outboundMaxBytes(), ctx.settings().closeGraceMs(), writeMeters, code -> session[0].onSlowConsumer());
        session[0] = new WsSession(ctx, connection, this);
        sessions.add(session[0]);
        long maxFrame = ctx.settings().limits().maxFrameBytes();
        channel.getReceiveSetter().set(new AbstractReceiveListener() {
            /**
             * Reads a text message in chunks rather than buffered whole: Undertow's buffered reader closes the
             * connection (1009) on a message over its limit, and protocol v1 wants a too-large {@code pub} answered
             * with {@code nack too_large} on a connection that stays open, whatever its size.
             */
            @Override
            protected void onText(WebSocketChannel ch, StreamSourceFrameChannel message) {
                FrameAccumulator frame = new FrameAccumulator(maxFrame, OVERSIZE_PREFIX_CHARS);
                new BufferedTextMessage(false).read(message, new WebSocketCallback<>() {
                    @Override
                    public void complete(WebSocketChannel socket, BufferedTextMessage chunk) {
                        frame.append(chunk.getData());
                        if (!chunk.isComplete()) {
                            return;
                        }
                        if (frame.oversize()) {
                            session[0].onOversize(OversizeFrame.parse(frame.text(), frame.totalChars()));
                        } else {
                            session[0].onText(frame.text());
                        }
                    }

                    @Override
                    public void onError(WebSocketChannel socket, BufferedTextMessage chunk, Throwable error) {
                        LOG.debug("websocket read error: {}", error.toString());
                        connection.abort();
                    }
                });
            }

            @Override
            protected long getMaxBinaryBufferSize() {
                return maxFrame;
            }

            @Override
            protected void onFullBinaryMessage(WebSocketChannel ch, BufferedBinaryMessage message) {
                message.getData().free();
                session[0].onBinary();
            }

            @Override
            protected void onFullPingMessage(WebSocketChannel ch, BufferedBinaryMessage message) {
                try (var data = message.getData()) {
                    connection.onPeerPing(bytesOf(data.getResource()));
                }
            }

            @Override
            protected void onFullCloseMessage(WebSocketChannel ch, BufferedBinaryMessage message) {
                try (var data = message.getData()) {
                    connection.onPeerClose(new CloseMessage(data.getResource()).getCode());
                }
            }

            @Override
            protected void onError(WebSocketChannel ch, Throwable error) {
                // Undertow reports a binary message beyond its buffer limit here (and has sent close 1009 itself);
                // anything else is a broken socket.
                if (String.valueOf(error.getMessage()).contains("UT002014")
                        || String.valueOf(error.getMessage()).toLowerCase().contains("too large")
                        || String.valueOf(error.getMessage()).toLowerCase().contains("too big")) {
                    connection.send(Frames.error(ErrorCode.TOO_LARGE,
                            "frame larger than " + maxFrame + " bytes"));
                    session[0].close(CloseCode.FRAME_TOO_LARGE, "frame too large");
                } else {
                    LOG.debug("websocket error: {}", error.toString());
                    connection.abort();
                }
            }
        });
        channel.addCloseTask(ch -> session[0].onClosed());
        channel.resumeReceives();
    }

    /**
     * The handler that upgrades {@code /v1/ws} (RFC 6455 version 13, no extensions) and hands every socket to
     * {@code onSocket} (this endpoint, or a guard in front of it); anything else goes to {@code notUpgrade}.
     */
    public HttpHandler handler(WebSocketConnectionCallback onSocket, HttpHandler notUpgrade) {
        return new WebSocketProtocolHandshakeHandler(List.of(new WsHandshake()), onSocket, notUpgrade);
    }

    private static byte[] bytesOf(ByteBuffer[] buffers) {
        int size = 0;
        for (ByteBuffer b : buffers) {
            size += b.remaining();
        }
        byte[] bytes = new byte[size];
        int at = 0;
        for (ByteBuffer b : buffers) {
            int n = b.remaining();
            b.get(bytes, at, n);
            at += n;
        }
        return bytes;
    }

    void onConnected() {
        connected.incrementAndGet();
    }

    void onClosed(WsSession session, boolean wasConnected) {
        if (sessions.remove(session) && wasConnected) {
            connected.decrementAndGet();
        }
    }

    private void sweep() {
        long now = ctx.clock().millis();
        for (WsSession session : sessions) {
            try {
                session.tick(now);
            } catch (RuntimeException e) {
                LOG.warn("session sweep failed", e);
            }
        }
    }

    /**
     * Sends every session {@code move} with a jittered delay, then closes it with 4100, and moves on every client
     * that connects until {@code mover} withdraws its order ({@link #stopMoving}). Each mover (a drain, an
     * operator's region drain or failover, a region cut off from the mesh) gives its own order; a new order replaces
     * only its own mover's earlier one, and late comers get the newest order still in force.
     *
     * <p>Threads: any (the drain thread, admin requests, the node's timer).
     */
    @Override
    public void moveAll(Object mover, String reason, String region, String url) {
        MoveOrder order = new MoveOrder(reason, region, url);
        synchronized (orders) {
            orders.remove(mover);
            orders.put(mover, order);
            movingAway = order;
        }
        for (WsSession session : sessions) {
            moveAway(session, order);
        }
    }

    /**
     * Withdraws {@code mover}'s order, if it gave one: clients that connect from now on stay, unless another mover's
     * order is still in force (then they get that one). Keyed by mover, not by the move's reason: a region cut off
     * from the mesh that serves again must not withdraw an operator's failover, which sends the same reason.
     */
    @Override
    public void stopMoving(Object mover) {
        synchronized (orders) {
            if (orders.remove(mover) == null) {
                return;
            }
            MoveOrder newest = null;
            for (MoveOrder order : orders.values()) {
                newest = order;
            }
            movingAway = newest;
        }
    }

    /**
     * Once the node moves everyone away, a client that connects anyway (a load balancer that has not yet seen
     * {@code /readyz} turn false) is moved on at once too, instead of settling on a node about to stop.
     */
    boolean moveIfLeaving(WsSession session) {
        MoveOrder order = movingAway;
        if (order == null) {
            return false;
        }
        moveAway(session, order);
        return true;
    }

    private void moveAway(WsSession session, MoveOrder order) {
        long jitter = Math.max(1, ctx.settings().moveJitterMs());
        session.move(order.reason(), order.region(), order.url(), ThreadLocalRandom.current().nextLong(jitter));
    }

    private record MoveOrder(String reason, String region, String url) {
    }

    /** Closes every session with 4503: the node is going away now. */
    public void closeAll() {
        for (WsSession session : sessions) {
            session.close(CloseCode.SHUTTING_DOWN, "node shutting down");
        }
    }

    public int sessionCount() {
        return sessions.size();
    }
}
