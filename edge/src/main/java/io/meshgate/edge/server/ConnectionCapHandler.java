package io.meshgate.edge.server;

import io.meshgate.edge.http.HttpReplies;
import io.meshgate.edge.protocol.ErrorCode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.ServerConnection;
import io.undertow.util.AttachmentKey;
import io.undertow.util.Headers;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Caps the connections one source address holds. A connection is counted at its first request and uncounted when
 * it closes; the one over the cap is answered 503 {@code unavailable} and closed, except a WebSocket upgrade, which
 * proceeds so the socket can be closed with 1013 (try again later) as the protocol's clients expect from a
 * WebSocket (see {@link #isOverCap}).
 *
 * <p>Runs on the connection's I/O thread (first request) and on whichever thread closes it; the map holds one entry
 * per address with open connections, so it is bounded by the open connections themselves. A socket that never
 * completes a request head is not counted here: the request parse timeout closes it.
 */
final class ConnectionCapHandler implements HttpHandler {
    private static final AttachmentKey<Boolean> COUNTED = AttachmentKey.create(Boolean.class);
    private static final AttachmentKey<Boolean> OVER_CAP = AttachmentKey.create(Boolean.class);
    private static final AttachmentKey<Boolean> OVER_CAP_UPGRADE = AttachmentKey.create(Boolean.class);

    private final int maxPerAddress;
    private final HttpHandler next;
    private final ConcurrentHashMap<InetAddress, AtomicInteger> open = new ConcurrentHashMap<>();
    private final Counter refused;

    ConnectionCapHandler(int maxPerAddress, HttpHandler next, MeterRegistry meters) {
        this.maxPerAddress = maxPerAddress;
        this.next = next;
        this.refused = Counter.builder("meshgate.edge.connections.refused")
                .description("connections refused because their address held the per-address maximum")
                .register(meters);
    }

    /** True when the WebSocket just upgraded by {@code exchange} is over its address's cap: close it 1013. */
    static boolean isOverCap(io.undertow.websockets.spi.WebSocketHttpExchange exchange) {
        return Boolean.TRUE.equals(exchange.getAttachment(OVER_CAP_UPGRADE));
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws Exception {
        ServerConnection connection = exchange.getConnection();
        if (connection.getAttachment(COUNTED) == null && connection.getAttachment(OVER_CAP) == null) {
            InetSocketAddress source = exchange.getSourceAddress();
            InetAddress address = source == null ? null : source.getAddress();
            if (address != null && !admit(connection, address)) {
                refused.increment();
                connection.putAttachment(OVER_CAP, true);
            }
        }
        if (Boolean.TRUE.equals(connection.getAttachment(OVER_CAP)) && isUpgrade(exchange)) {
            exchange.putAttachment(OVER_CAP_UPGRADE, true);
        } else if (Boolean.TRUE.equals(connection.getAttachment(OVER_CAP))) {
            exchange.setPersistent(false);
            HttpReplies.error(exchange, 503, ErrorCode.UNAVAILABLE, "too many connections from your address (at most "
                    + maxPerAddress + "); close some or retry later");
            return;
        }
        next.handleRequest(exchange);
    }

    private boolean admit(ServerConnection connection, InetAddress address) {
        AtomicInteger count = open.compute(address, (a, c) -> {
            AtomicInteger counter = c == null ? new AtomicInteger() : c;
            counter.incrementAndGet();
            return counter;
        });
        if (count.get() > maxPerAddress) {
            release(address);
            return false;
        }
        connection.putAttachment(COUNTED, true);
        connection.addCloseListener(closed -> release(address));
        return true;
    }

    private void release(InetAddress address) {
        open.computeIfPresent(address, (a, c) -> c.decrementAndGet() <= 0 ? null : c);
    }

    private static boolean isUpgrade(HttpServerExchange exchange) {
        String upgrade = exchange.getRequestHeaders().getFirst(Headers.UPGRADE);
        return upgrade != null && upgrade.equalsIgnoreCase("websocket");
    }

    /** Addresses holding connections now, for tests and the gauge. */
    int addresses() {
        return open.size();
    }
}
