package io.meshgate.edge.http;

import io.meshgate.edge.auth.Principal;
import io.meshgate.edge.auth.TokenRejectedException;
import io.meshgate.edge.auth.TokenVerifier;
import io.meshgate.edge.protocol.ErrorCode;
import io.meshgate.edge.protocol.Frames;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;

import java.nio.ByteBuffer;

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

    /** A JSON body given in pieces (shared encoded messages among them), written with one gathering send. */
    public static void json(HttpServerExchange exchange, int status, ByteBuffer[] body) {
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

    /**
     * The caller of a public API request, after checking its method and bearer token; null once the request has
     * been answered (405 for another method, 401 with the reason for a bad token).
     */
    public static Principal authenticate(HttpServerExchange exchange, HttpString method, TokenVerifier tokens) {
        if (!exchange.getRequestMethod().equals(method)) {
            error(exchange, 405, ErrorCode.BAD_REQUEST, "use " + method + " for " + exchange.getRequestPath());
            return null;
        }
        try {
            return tokens.verify(bearerToken(exchange));
        } catch (TokenRejectedException e) {
            error(exchange, ErrorCode.UNAUTHORIZED, e.reason());
            return null;
        }
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
