package io.meshgate.edge.server;

import io.meshgate.edge.http.HttpReplies;
import io.meshgate.edge.protocol.ErrorCode;
import io.undertow.server.AbstractServerConnection;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.ServerConnection;
import io.undertow.util.AttachmentKey;
import io.undertow.util.Headers;

/**
 * Answers the requests of sockets that {@link AcceptGate} accepted over their address's cap: 503
 * {@code unavailable} and a close, except a WebSocket upgrade, which proceeds so the socket can be closed with 1013
 * (try again later) as the protocol's clients expect from a WebSocket (see {@link #isOverCap}). Every other request
 * passes through.
 *
 * <p>Stateless apart from the gate; called on the connection's I/O thread for every request.
 */
final class ConnectionCapHandler implements HttpHandler {
    private static final AttachmentKey<Boolean> OVER_CAP_UPGRADE = AttachmentKey.create(Boolean.class);

    private final int maxPerAddress;
    private final AcceptGate gate;
    private final HttpHandler next;

    ConnectionCapHandler(int maxPerAddress, AcceptGate gate, HttpHandler next) {
        this.maxPerAddress = maxPerAddress;
        this.gate = gate;
        this.next = next;
    }

    /** True when the WebSocket just upgraded by {@code exchange} is over its address's cap: close it 1013. */
    static boolean isOverCap(io.undertow.websockets.spi.WebSocketHttpExchange exchange) {
        return Boolean.TRUE.equals(exchange.getAttachment(OVER_CAP_UPGRADE));
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws Exception {
        ServerConnection connection = exchange.getConnection();
        boolean overCap = connection instanceof AbstractServerConnection c && gate.isMarked(c.getChannel());
        if (overCap && isUpgrade(exchange)) {
            exchange.putAttachment(OVER_CAP_UPGRADE, true);
        } else if (overCap) {
            exchange.setPersistent(false);
            HttpReplies.error(exchange, 503, ErrorCode.UNAVAILABLE, "too many connections from your address (at most "
                    + maxPerAddress + "); close some or retry later");
            return;
        }
        next.handleRequest(exchange);
    }

    private static boolean isUpgrade(HttpServerExchange exchange) {
        String upgrade = exchange.getRequestHeaders().getFirst(Headers.UPGRADE);
        return upgrade != null && upgrade.equalsIgnoreCase("websocket");
    }
}
