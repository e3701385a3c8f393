package io.meshgate.edge.http;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HttpString;
import io.undertow.util.Methods;

/**
 * Opens the public API to pages of any origin: clients authenticate with bearer tokens, never cookies, so there is
 * no ambient credential for another origin to abuse. Answers preflights itself.
 */
public final class CorsHandler implements HttpHandler {
    private static final HttpString ALLOW_ORIGIN = new HttpString("Access-Control-Allow-Origin");
    private static final HttpString ALLOW_METHODS = new HttpString("Access-Control-Allow-Methods");
    private static final HttpString ALLOW_HEADERS = new HttpString("Access-Control-Allow-Headers");
    private static final HttpString MAX_AGE = new HttpString("Access-Control-Max-Age");

    private final HttpHandler next;

    public CorsHandler(HttpHandler next) {
        this.next = next;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws Exception {
        exchange.getResponseHeaders().put(ALLOW_ORIGIN, "*");
        if (exchange.getRequestMethod().equals(Methods.OPTIONS)) {
            exchange.getResponseHeaders().put(ALLOW_METHODS, "GET, POST, OPTIONS");
            exchange.getResponseHeaders().put(ALLOW_HEADERS, "Authorization, Content-Type");
            exchange.getResponseHeaders().put(MAX_AGE, "600");
            exchange.setStatusCode(204);
            exchange.endExchange();
            return;
        }
        next.handleRequest(exchange);
    }
}
