package io.meshgate.edge.discovery;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;

/** {@code GET /v1/ping}: 204 on the I/O thread, no body, no allocation worth naming. CORS comes from the chain. */
public final class PingHandler implements HttpHandler {
    @Override
    public void handleRequest(HttpServerExchange exchange) {
        exchange.setStatusCode(204);
        exchange.endExchange();
    }
}
