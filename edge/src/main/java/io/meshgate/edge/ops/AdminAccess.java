package io.meshgate.edge.ops;

import io.meshgate.edge.http.HttpReplies;
import io.meshgate.edge.protocol.ErrorCode;
import io.undertow.server.HttpServerExchange;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * Who may make an operator call, for the handlers that live beside {@link AdminHandler} ({@code /admin/faults},
 * {@code /status}): the same rules as {@link AdminHandler} (the admin token as a bearer token when one is configured,
 * else loopback callers only; never what a browser sends on a web page's behalf), plus the read-only rule of the
 * status page (see {@link #tokenOrLoopback}). Stateless; called on I/O and worker threads.
 */
public final class AdminAccess {
    private static final int REASON_MAX_CHARS = 200;

    private final String adminToken;
    private final BrowserGuard browsers;

    public AdminAccess(String adminToken, BrowserGuard browsers) {
        this.adminToken = adminToken;
        this.browsers = browsers;
    }

    /** True when the caller may make admin calls; otherwise answers 403 with the reason and returns false. */
    public boolean admit(HttpServerExchange exchange) {
        String browserBorne = browsers.refusal(exchange);
        if (browserBorne != null) {
            HttpReplies.error(exchange, 403, ErrorCode.FORBIDDEN, browserBorne);
            return false;
        }
        boolean allowed = hasToken() ? presentsToken(exchange) : fromLoopback(exchange);
        if (!allowed) {
            HttpReplies.error(exchange, 403, ErrorCode.FORBIDDEN,
                    "admin calls need the admin token, or come from loopback when none is configured");
        }
        return allowed;
    }

    /** Read-only pages: the admin token, or any loopback caller (an operator on the node or through a tunnel). */
    public boolean tokenOrLoopback(HttpServerExchange exchange) {
        return (hasToken() && presentsToken(exchange)) || fromLoopback(exchange);
    }

    /** Who made an admin call, for the log: the address, and whether the admin token or loopback let it in. */
    public String caller(HttpServerExchange exchange) {
        return exchange.getSourceAddress() + (hasToken() ? " (admin token)" : " (loopback, no admin token configured)");
    }

    /** The call's {@code reason} parameter made safe for one log line: quoted, control characters replaced, bounded. */
    public static String reason(HttpServerExchange exchange) {
        String given = AdminHandler.query(exchange, "reason");
        String reason = given == null || given.isBlank() ? "no reason given" : given;
        String clean = reason.replaceAll("\\p{Cntrl}", "?");
        return '"' + (clean.length() > REASON_MAX_CHARS ? clean.substring(0, REASON_MAX_CHARS) + "..." : clean) + '"';
    }

    private boolean hasToken() {
        return adminToken != null && !adminToken.isEmpty();
    }

    private boolean presentsToken(HttpServerExchange exchange) {
        String given = HttpReplies.bearerToken(exchange);
        return given != null && MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8),
                adminToken.getBytes(StandardCharsets.UTF_8));
    }

    private static boolean fromLoopback(HttpServerExchange exchange) {
        InetSocketAddress source = exchange.getSourceAddress();
        return source != null && source.getAddress() != null && source.getAddress().isLoopbackAddress();
    }
}
