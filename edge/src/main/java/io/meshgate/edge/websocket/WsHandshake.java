package io.meshgate.edge.websocket;

import io.undertow.connector.ByteBufferPool;
import io.undertow.websockets.core.WebSocketChannel;
import io.undertow.websockets.core.protocol.version13.Hybi13Handshake;
import io.undertow.websockets.spi.WebSocketHttpExchange;
import org.xnio.StreamConnection;

/**
 * RFC 6455 (version 13) handshake, without extensions, that keeps the upgraded socket beside Undertow's channel:
 * Undertow parses what clients send, and {@link WsConnection} writes finished frames to the socket itself, so one
 * shared frame buffer goes to every subscriber with one gathering write per turn. Without extensions (no
 * permessage-deflate) a server frame's bytes do not depend on the connection. Public so the wire benchmark's bare
 * Undertow ceiling (chaos-tests, {@code CeilingServer}) upgrades the same way as the edge.
 */
public final class WsHandshake extends Hybi13Handshake {
    private static final String SOCKET = "meshgate.socket";

    @Override
    public WebSocketChannel createChannel(WebSocketHttpExchange exchange, StreamConnection socket,
                                          ByteBufferPool pool) {
        WebSocketChannel channel = super.createChannel(exchange, socket, pool);
        channel.setAttribute(SOCKET, socket);
        return channel;
    }

    /** The socket under {@code channel}, made by this handshake. */
    public static StreamConnection socketOf(WebSocketChannel channel) {
        return (StreamConnection) channel.getAttribute(SOCKET);
    }
}
