package io.meshgate.edge.ops;

import io.meshgate.edge.http.HttpReplies;
import io.meshgate.edge.protocol.ErrorCode;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Methods;

import java.net.InetSocketAddress;
import java.security.MessageDigest;
import java.nio.charset.StandardCharsets;

/**
 * {@code POST /admin/drain}. With an admin token configured the caller must present it as a bearer token;
 * without one only loopback callers are accepted, so an edge exposed to the internet cannot be drained by anyone.
 */
public final class AdminHandler implements HttpHandler {
    private final DrainController drain;
    private final String adminToken;

    public AdminHandler(DrainController drain, String adminToken) {
        this.drain = drain;
        this.adminToken = adminToken;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) {
        if (!allowed(exchange)) {
            HttpReplies.error(exchange, 403, ErrorCode.FORBIDDEN,
                    "admin calls need the admin token, or come from loopback when none is configured");
            return;
        }
        if (!exchange.getRelativePath().equals("/drain") && !exchange.getRelativePath().equals("drain")) {
            HttpReplies.error(exchange, 404, ErrorCode.BAD_REQUEST, "unknown admin call; try POST /admin/drain");
            return;
        }
        if (!exchange.getRequestMethod().equals(Methods.POST)) {
            HttpReplies.error(exchange, 405, ErrorCode.BAD_REQUEST, "use POST /admin/drain");
            return;
        }
        drain.drain("admin request from " + exchange.getSourceAddress());
        HttpReplies.json(exchange, 202, "{\"draining\":true}");
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
