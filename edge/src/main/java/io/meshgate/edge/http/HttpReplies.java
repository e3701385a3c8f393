package io.meshgate.edge.http;

import io.meshgate.edge.protocol.ErrorCode;
import io.meshgate.edge.protocol.Frames;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;

/** Writes JSON answers; every error answer is an {@code error} object with a reason. */
public final class HttpReplies {
    private HttpReplies() {
    }

    public static void json(HttpServerExchange exchange, int status, String body) {
        exchange.setStatusCode(status);
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/json");
        exchange.getResponseHeaders().put(Headers.CACHE_CONTROL, "no-store");
        exchange.getResponseSender().send(body);
    }

    public static void error(HttpServerExchange exchange, ErrorCode code, String reason) {
        json(exchange, code.httpStatus(), Frames.error(code, reason));
    }

    public static void error(HttpServerExchange exchange, int status, ErrorCode code, String reason) {
        json(exchange, status, Frames.error(code, reason));
    }

    /** The token of an {@code Authorization: Bearer} header, or null when there is none. */
    public static String bearerToken(HttpServerExchange exchange) {
        String header = exchange.getRequestHeaders().getFirst(Headers.AUTHORIZATION);
        if (header == null) {
            return null;
        }
        String prefix = "bearer ";
        if (header.length() > prefix.length() && header.regionMatches(true, 0, prefix, 0, prefix.length())) {
            return header.substring(prefix.length()).trim();
        }
        return null;
    }
}
