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
 * status page (see {@link #tokenOrLoopback}). Its only state is the refusal log's throttle (atomics); called on I/O
 * and worker threads.
 */
public final class AdminAccess {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(AdminAccess.class);
    private static final int REASON_MAX_CHARS = 200;
    private static final long REFUSAL_LOG_EVERY_NANOS = 1_000_000_000L;
    private final java.util.concurrent.atomic.AtomicLong nextRefusalLogNanos =
            new java.util.concurrent.atomic.AtomicLong(System.nanoTime());
    private final java.util.concurrent.atomic.AtomicLong refusalsNotLogged = new java.util.concurrent.atomic.AtomicLong();

    private final String adminToken;
    private final BrowserGuard browsers;

    public AdminAccess(String adminToken, BrowserGuard browsers) {
        this.adminToken = adminToken;
        this.browsers = browsers;
    }

    /**
     * True when the caller may make admin calls; otherwise answers 403 with the reason, logs the refusal (at most one
     * line a second, with a count of those not logged, so a flood of refused calls cannot flood the log) and returns
     * false.
     */
    public boolean admit(HttpServerExchange exchange) {
        String browserBorne = browsers.refusal(exchange);
        if (browserBorne != null) {
            logRefusal(exchange, browserBorne);
            HttpReplies.error(exchange, 403, ErrorCode.FORBIDDEN, browserBorne);
            return false;
        }
        boolean allowed = hasToken() ? presentsToken(exchange) : fromLoopback(exchange);
        if (!allowed) {
            String why = "admin calls need the admin token, or come from loopback when none is configured";
            logRefusal(exchange, why);
            HttpReplies.error(exchange, 403, ErrorCode.FORBIDDEN, why);
        }
        return allowed;
    }

    private void logRefusal(HttpServerExchange exchange, String why) {
        // Throttling a log line is a measurement, not a timeout: the monotonic clock is enough.
        long now = System.nanoTime();
        long next = nextRefusalLogNanos.get();
        if (now - next < 0 || !nextRefusalLogNanos.compareAndSet(next, now + REFUSAL_LOG_EVERY_NANOS)) {
            refusalsNotLogged.incrementAndGet();
            return;
        }
        long quiet = refusalsNotLogged.getAndSet(0);
        LOG.warn("admin call {} {} from {} refused: {}{}", exchange.getRequestMethod(), exchange.getRequestPath(),
                exchange.getSourceAddress(), why, quiet == 0 ? "" : " (" + quiet + " more refused since the last line)");
    }

    /**
     * Read-only operator data ({@code /metrics}): never for what a browser sends on a web page's behalf; then the
     * admin token, or any loopback caller. Otherwise answers 403 with the reason, logs it as {@link #admit} does and
     * returns false.
     */
    public boolean admitReader(HttpServerExchange exchange) {
        String why = browsers.refusal(exchange);
        if (why == null && !tokenOrLoopback(exchange)) {
            why = exchange.getRequestPath() + " needs the admin token, or a loopback caller";
        }
        if (why != null) {
            logRefusal(exchange, why);
            HttpReplies.error(exchange, 403, ErrorCode.FORBIDDEN, why);
            return false;
        }
        return true;
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
