package io.meshgate.edge.status;

import io.meshgate.edge.http.HttpReplies;
import io.meshgate.edge.ops.AdminAccess;
import io.meshgate.edge.ops.BrowserGuard;
import io.meshgate.edge.protocol.ErrorCode;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.handlers.sse.ServerSentEventConnection;
import io.undertow.server.handlers.sse.ServerSentEventHandler;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import io.undertow.util.Methods;
import org.xnio.IoUtils;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code GET /status} (the page), {@code /status/status.js} (its script), {@code /status/data} (the picture as
 * JSON) and {@code /status/events} (the picture again on every tick of the {@link StatusBoard}, as server-sent
 * events). Let in with the admin token or from loopback ({@link AdminAccess#tokenOrLoopback}), never for a foreign
 * page ({@link BrowserGuard#pageRefusal}). At most {@code maxSubscribers} streams are open at once: the next is
 * answered 503 with the protocol's error object. A stream whose client does not take what it is sent (more than
 * {@link #MAX_UNSENT} pictures unwritten) is closed, so a stalled browser holds at most that much memory; the
 * browser's EventSource reconnects by itself.
 *
 * <p>Threads: requests on Undertow's I/O threads (nothing here blocks); pushes on the board's thread.
 */
public final class StatusHandler implements HttpHandler {
    /** Pictures a stream may have unwritten before it is closed as stalled. */
    static final int MAX_UNSENT = 4;
    private static final HttpString CSP = new HttpString("Content-Security-Policy");

    private final StatusBoard board;
    private final AdminAccess access;
    private final BrowserGuard browsers;
    private final int maxSubscribers;
    private final byte[] page = resource("status.html");
    private final byte[] script = resource("status.js");
    private final AtomicInteger streams = new AtomicInteger();
    private final Map<ServerSentEventConnection, AtomicInteger> unsent = new ConcurrentHashMap<>();
    private final ServerSentEventHandler events;

    public StatusHandler(StatusBoard board, AdminAccess access, BrowserGuard browsers, int maxSubscribers) {
        this.board = board;
        this.access = access;
        this.browsers = browsers;
        this.maxSubscribers = maxSubscribers;
        this.events = new ServerSentEventHandler((connection, lastEventId) -> {
            unsent.put(connection, new AtomicInteger());
            connection.addCloseTask(closed -> unsent.remove(closed));
            push(connection, board.snapshot());
        });
        board.listen(this::pushAll);
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws Exception {
        String refusal = browsers.pageRefusal(exchange);
        if (refusal != null) {
            HttpReplies.error(exchange, 403, ErrorCode.FORBIDDEN, refusal);
            return;
        }
        if (!access.tokenOrLoopback(exchange)) {
            HttpReplies.error(exchange, 403, ErrorCode.FORBIDDEN,
                    "the status page needs the admin token, or a loopback caller (an SSH tunnel or port-forward)");
            return;
        }
        if (!exchange.getRequestMethod().equals(Methods.GET)) {
            HttpReplies.error(exchange, 405, ErrorCode.BAD_REQUEST, "use GET " + exchange.getRequestPath());
            return;
        }
        switch (exchange.getRequestPath()) {
            case "/status", "/status/" -> asset(exchange, page, "text/html; charset=utf-8");
            case "/status/status.js" -> asset(exchange, script, "text/javascript; charset=utf-8");
            case "/status/data" -> HttpReplies.json(exchange, 200, board.snapshot());
            case "/status/events" -> subscribe(exchange);
            default -> HttpReplies.error(exchange, 404, ErrorCode.BAD_REQUEST,
                    "no such path: " + exchange.getRequestPath() + "; try /status");
        }
    }

    private void subscribe(HttpServerExchange exchange) throws Exception {
        if (streams.incrementAndGet() > maxSubscribers) {
            streams.decrementAndGet();
            HttpReplies.error(exchange, 503, ErrorCode.UNAVAILABLE, "too many status streams are open on this"
                    + " node (" + maxSubscribers + "); close one or poll /status/data");
            return;
        }
        // Whatever ends the stream (the client, a write error, a stall) ends the exchange, and frees its place.
        exchange.addExchangeCompleteListener((done, next) -> {
            streams.decrementAndGet();
            next.proceed();
        });
        events.handleRequest(exchange);
    }

    private void pushAll(String picture) {
        for (ServerSentEventConnection connection : events.getConnections()) {
            push(connection, picture);
        }
    }

    private void push(ServerSentEventConnection connection, String picture) {
        AtomicInteger pending = unsent.get(connection);
        if (pending == null) {
            return;
        }
        if (pending.incrementAndGet() > MAX_UNSENT) {
            IoUtils.safeClose(connection);
            return;
        }
        connection.send(picture, new ServerSentEventConnection.EventCallback() {
            @Override
            public void done(ServerSentEventConnection c, String data, String event, String id) {
                pending.decrementAndGet();
            }

            @Override
            public void failed(ServerSentEventConnection c, String data, String event, String id, IOException e) {
                IoUtils.safeClose(c);
            }
        });
    }

    /** Open status streams (tests). */
    int openStreams() {
        return streams.get();
    }

    private static void asset(HttpServerExchange exchange, byte[] body, String type) {
        exchange.setStatusCode(200);
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, type)
                .put(Headers.CACHE_CONTROL, "no-store")
                .put(CSP, "default-src 'self'; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'");
        exchange.getResponseSender().send(ByteBuffer.wrap(body));
    }

    private static byte[] resource(String name) {
        try (InputStream in = StatusHandler.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("classpath resource io/meshgate/edge/status/" + name
                        + " is missing from the edge jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
