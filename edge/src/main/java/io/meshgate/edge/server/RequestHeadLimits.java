package io.meshgate.edge.server;

import io.meshgate.edge.protocol.ErrorCode;
import io.meshgate.edge.protocol.Frames;
import io.undertow.UndertowOptions;
import io.undertow.io.IoCallback;
import io.undertow.io.Sender;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HeaderValues;
import io.undertow.util.Headers;
import org.xnio.IoUtils;

/**
 * The edge's limits on a request head, enforced in the first handler so that a request over them gets the
 * protocol's {@code error} object: a head (request line and headers) over {@value #MAX_HEAD_BYTES} bytes or with more
 * than {@value #MAX_HEADERS} headers gets 431 {@code too_large}; a query with more than {@value #MAX_PARAMETERS}
 * parameters gets 400 {@code bad_request}. The connection is closed after either answer.
 *
 * <p>Undertow's own parser limits ({@link #parseCeilings}) sit above ours, since a request over them is refused by
 * the parser before any handler runs (a 400 that {@link ParserRefusalConduit} gives the protocol's error object, with
 * no detail of which limit). They also bound what a connection can make the parser hold: a head
 * of at most {@value #PARSE_CEILING_HEAD_BYTES} bytes and {@value #PARSE_CEILING_PARAMETERS} parsed parameters, a few
 * MiB per connection while its head is read (see docs/security.md, threat 7d).
 *
 * <p>Stateless; called on the connection's I/O thread for every request.
 */
final class RequestHeadLimits implements HttpHandler {
    /** Our documented limit on the request line plus headers, counted as sent (name, ": ", value, CRLF). */
    static final int MAX_HEAD_BYTES = 64 * 1024;
    static final int MAX_HEADERS = 100;
    static final int MAX_PARAMETERS = 1_000;

    /** Undertow's limits: a head beyond these is refused by the parser itself, and closed. */
    static final int PARSE_CEILING_HEAD_BYTES = 1024 * 1024 + MAX_HEAD_BYTES;
    static final int PARSE_CEILING_HEADERS = 2_000;
    static final int PARSE_CEILING_PARAMETERS = 10_000;

    private static final int STATUS_HEADERS_TOO_LARGE = 431;
    private static final int CRLF_AND_SEPARATORS = 4;

    private final HttpHandler next;

    RequestHeadLimits(HttpHandler next) {
        this.next = next;
    }

    /** Sets Undertow's parser limits just past ours, so the requests between the two reach this handler. */
    static org.xnio.OptionMap.Builder parseCeilings(org.xnio.OptionMap.Builder options) {
        return options
                .set(UndertowOptions.MAX_HEADER_SIZE, PARSE_CEILING_HEAD_BYTES)
                .set(UndertowOptions.MAX_HEADERS, PARSE_CEILING_HEADERS)
                .set(UndertowOptions.MAX_PARAMETERS, PARSE_CEILING_PARAMETERS);
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws Exception {
        int headers = 0;
        long headBytes = requestLineBytes(exchange);
        for (HeaderValues values : exchange.getRequestHeaders()) {
            int nameBytes = values.getHeaderName().length();
            for (String value : values) {
                headers++;
                headBytes += nameBytes + value.length() + CRLF_AND_SEPARATORS;
            }
        }
        if (headBytes > MAX_HEAD_BYTES || headers > MAX_HEADERS) {
            refuse(exchange, STATUS_HEADERS_TOO_LARGE, ErrorCode.TOO_LARGE, "request head too large: at most "
                    + MAX_HEAD_BYTES + " bytes of request line and headers and at most " + MAX_HEADERS
                    + " headers (got " + headBytes + " bytes, " + headers + " headers)");
            return;
        }
        int parameters = parameterCount(exchange);
        if (parameters > MAX_PARAMETERS) {
            refuse(exchange, 400, ErrorCode.BAD_REQUEST, "too many query parameters: at most " + MAX_PARAMETERS
                    + " (got " + parameters + ")");
            return;
        }
        next.handleRequest(exchange);
    }

    private static long requestLineBytes(HttpServerExchange exchange) {
        String query = exchange.getQueryString();
        return exchange.getRequestMethod().length() + 1L + exchange.getRequestURI().length()
                + (query == null || query.isEmpty() ? 0 : 1 + query.length()) + 1
                + exchange.getProtocol().length() + 2;
    }

    private static int parameterCount(HttpServerExchange exchange) {
        int count = 0;
        for (java.util.Deque<String> values : exchange.getQueryParameters().values()) {
            count += values.size();
        }
        return count;
    }

    private static void refuse(HttpServerExchange exchange, int status, ErrorCode code, String reason) {
        // The parsed head stays in memory as long as the connection does (about twice its size): answer once,
        // then close at once rather than wait for the client to close its side.
        exchange.setPersistent(false);
        exchange.setStatusCode(status);
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/json");
        exchange.getResponseHeaders().put(Headers.CACHE_CONTROL, "no-store");
        exchange.getResponseSender().send(Frames.error(code, reason), new IoCallback() {
            @Override
            public void onComplete(HttpServerExchange done, Sender sender) {
                IoUtils.safeClose(done.getConnection());
            }

            @Override
            public void onException(HttpServerExchange failed, Sender sender, java.io.IOException exception) {
                IoUtils.safeClose(failed.getConnection());
            }
        });
    }
}
