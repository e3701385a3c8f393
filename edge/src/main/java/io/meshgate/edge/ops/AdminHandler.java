package io.meshgate.edge.ops;

import io.meshgate.edge.http.HttpReplies;
import io.meshgate.edge.protocol.ErrorCode;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Methods;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * {@code POST /admin/drain}, and {@code GET /admin/mesh} (the mesh's links and RTT matrix as this node sees them).
 * With an admin token configured the caller must present it as a bearer token; without one only loopback callers
 * are accepted (and a node that binds beyond loopback refuses to start without one). Before either check,
 * {@link BrowserGuard} refuses what a browser would send on a web page's behalf, so neither a local page nor DNS
 * rebinding can drain the node.
 */
public final class AdminHandler implements HttpHandler {
    private final DrainController drain;
    private final String adminToken;
    private final java.util.function.Supplier<String> meshStatus;
    private final BrowserGuard browsers;

    public AdminHandler(DrainController drain, String adminToken, java.util.function.Supplier<String> meshStatus,
                        BrowserGuard browsers) {
        this.drain = drain;
        this.adminToken = adminToken;
        this.meshStatus = meshStatus;
        this.browsers = browsers;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) {
        String browserBorne = browsers.refusal(exchange);
        if (browserBorne != null) {
            HttpReplies.error(exchange, 403, ErrorCode.FORBIDDEN, browserBorne);
            return;
        }
        if (!allowed(exchange)) {
            HttpReplies.error(exchange, 403, ErrorCode.FORBIDDEN,
                    "admin calls need the admin token, or come from loopback when none is configured");
            return;
        }
        String call = exchange.getRelativePath().startsWith("/") ? exchange.getRelativePath().substring(1)
                : exchange.getRelativePath();
        if (call.equals("mesh")) {
            mesh(exchange);
            return;
        }
        if (!call.equals("drain")) {
            HttpReplies.error(exchange, 404, ErrorCode.BAD_REQUEST,
                    "unknown admin call; try POST /admin/drain or GET /admin/mesh");
            return;
        }
        if (!exchange.getRequestMethod().equals(Methods.POST)) {
            HttpReplies.error(exchange, 405, ErrorCode.BAD_REQUEST, "use POST /admin/drain");
            return;
        }
        drain.drain("admin request from " + exchange.getSourceAddress());
        HttpReplies.json(exchange, 202, "{\"draining\":true}");
    }

    private void mesh(HttpServerExchange exchange) {
        if (!exchange.getRequestMethod().equals(Methods.GET)) {
            HttpReplies.error(exchange, 405, ErrorCode.BAD_REQUEST, "use GET /admin/mesh");
            return;
        }
        String status = meshStatus == null ? null : meshStatus.get();
        if (status == null) {
            HttpReplies.error(exchange, 404, ErrorCode.BAD_REQUEST, "this node's deployment has one region: no mesh");
            return;
        }
        HttpReplies.json(exchange, 200, status);
    }

    private boolean allowed(HttpServerExchange exchange) {
        if (adminToken != null && !adminToken.isEmpty()) {
            String given = HttpReplies.bearerToken(exchange);
            return given != null && MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8),
                    adminToken.getBytes(StandardCharsets.UTF_8));
        }
        InetSocketAddress source = exchange.getSourceAddress();
        return source != null && source.getAddress() != null && source.getAddress().isLoopbackAddress();
    }
}
