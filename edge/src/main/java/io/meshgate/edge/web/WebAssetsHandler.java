package io.meshgate.edge.web;

import io.meshgate.edge.http.HttpReplies;
import io.meshgate.edge.protocol.ErrorCode;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import io.undertow.util.Methods;

import java.util.Map;

/**
 * {@code GET /client.js} (also as {@code /client.mjs}, the name that makes Node 18+ load it as an ES module whatever
 * package.json sits above a saved copy), {@code GET /demo} (with its assets under {@code /demo/}), answered from
 * memory on the I/O thread, and {@code GET /}, which redirects to the demo page keeping its query string. Browsers revalidate every time ({@code Cache-Control: no-cache}) and get 304 while the ETag holds, so a
 * new gateway version is picked up at once. A path not in the table gets the protocol's 404 error object.
 */
public final class WebAssetsHandler implements HttpHandler {
    private static final String JS = "text/javascript; charset=utf-8";
    private static final HttpString NOSNIFF = new HttpString("X-Content-Type-Options");

    private final Map<String, WebAsset> assets;

    private WebAssetsHandler(Map<String, WebAsset> assets) {
        this.assets = assets;
    }

    /** Loads every asset; fails at start, not at the first request, when one is missing. */
    public static WebAssetsHandler load() {
        WebAsset page = WebAsset.load("demo.html", "text/html; charset=utf-8");
        WebAsset client = WebAsset.load("client.mjs", JS);
        return new WebAssetsHandler(Map.of(
                "/client.js", client,
                "/client.mjs", client,
                "/demo", page,
                "/demo/", page,
                "/demo/demo.js", WebAsset.load("demo.js", JS),
                "/demo/demo.css", WebAsset.load("demo.css", "text/css; charset=utf-8")));
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) {
        boolean root = exchange.getRequestPath().equals("/");
        WebAsset asset = assets.get(exchange.getRequestPath());
        if (asset == null && !root) {
            HttpReplies.error(exchange, 404, ErrorCode.BAD_REQUEST, "no such path: " + exchange.getRequestPath());
            return;
        }
        HttpString method = exchange.getRequestMethod();
        if (!method.equals(Methods.GET) && !method.equals(Methods.HEAD)) {
            exchange.getResponseHeaders().put(Headers.ALLOW, "GET, HEAD");
            HttpReplies.error(exchange, 405, ErrorCode.BAD_REQUEST, "use GET for " + exchange.getRequestPath());
            return;
        }
        if (root) {
            redirectToDemo(exchange);
            return;
        }
        exchange.getResponseHeaders()
                .put(Headers.ETAG, asset.etag())
                .put(Headers.CACHE_CONTROL, "no-cache")
                .put(NOSNIFF, "nosniff");
        if (asset.matches(exchange.getRequestHeaders().getFirst(Headers.IF_NONE_MATCH))) {
            exchange.setStatusCode(304);
            exchange.endExchange();
            return;
        }
        exchange.getResponseHeaders()
                .put(Headers.CONTENT_TYPE, asset.contentType())
                .put(Headers.CONTENT_LENGTH, asset.body().length);
        if (method.equals(Methods.HEAD)) {
            exchange.endExchange();
            return;
        }
        exchange.getResponseSender().send(asset.bodyBuffer());
    }

    /** {@code /} has nothing of its own: send a visitor to the demo page, with {@code ?region=} and the rest kept. */
    private static void redirectToDemo(HttpServerExchange exchange) {
        String query = exchange.getQueryString();
        exchange.setStatusCode(302);
        exchange.getResponseHeaders()
                .put(Headers.LOCATION, query == null || query.isEmpty() ? "/demo" : "/demo?" + query)
                .put(Headers.CACHE_CONTROL, "no-cache")
                .put(Headers.CONTENT_LENGTH, 0);
        exchange.endExchange();
    }
}
