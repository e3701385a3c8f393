package io.meshgate.edge.server;

/**
 * How an edge defends its ports against clients that hold them without using them, and where its operator endpoints
 * live. Units are in the names; {@link #DEFAULTS} are documented in docs/configuration.md and docs/security.md.
 *
 * @param requestParseTimeoutMs    time a connection has to send a complete request head once it started one; a
 *                                 slowloris socket that sends half a request line is closed after it
 * @param idleTimeoutMs            time an HTTP connection may sit between requests (longer than the longest
 *                                 long-poll wait, which holds a request, not an idle connection)
 * @param maxConnectionsPerAddress connections one source IP may hold at once; the next gets 503 (HTTP) or, for a
 *                                 WebSocket, close 1013 right after the upgrade
 * @param pollMaxInFlightPerClient long-polls one client ({@code sub}) may have parked at this node at once; more
 *                                 are answered 429 {@code rate_limited} with {@code retry_ms}
 * @param subscribesPerSecond      {@code sub} plus {@code unsub} frames one connection may send per second (a burst
 *                                 of one second's worth is allowed); more get {@code error rate_limited} with
 *                                 {@code retry_ms}
 * @param adminBindHost            address of the separate admin listener ({@code /admin/*}, {@code /metrics})
 * @param adminPort                port of that listener; -1 = no separate listener: admin and metrics are on the
 *                                 edge port (allowed only when the edge binds loopback), 0 = a free port (tests)
 * @param faults                   {@code admin.faults}: whether {@code /admin/faults} may inject faults into this
 *                                 node's mesh links (chaos experiments); refused when false
 */
public record EdgeGuards(long requestParseTimeoutMs, long idleTimeoutMs, int maxConnectionsPerAddress,
                         int pollMaxInFlightPerClient, int subscribesPerSecond, String adminBindHost, int adminPort,
                         boolean faults) {

    public static final EdgeGuards DEFAULTS = new EdgeGuards(10_000, 120_000, 1024, 16, 200, "127.0.0.1", -1, false);

    /** True when {@code /admin/*} and {@code /metrics} have their own listener. */
    public boolean separateAdminPort() {
        return adminPort >= 0;
    }

    public EdgeGuards withAdminPort(String bindHost, int port) {
        return new EdgeGuards(requestParseTimeoutMs, idleTimeoutMs, maxConnectionsPerAddress,
                pollMaxInFlightPerClient, subscribesPerSecond, bindHost, port, faults);
    }

    public EdgeGuards withFaults(boolean allowed) {
        return new EdgeGuards(requestParseTimeoutMs, idleTimeoutMs, maxConnectionsPerAddress,
                pollMaxInFlightPerClient, subscribesPerSecond, adminBindHost, adminPort, allowed);
    }

    public EdgeGuards withMaxConnectionsPerAddress(int max) {
        return new EdgeGuards(requestParseTimeoutMs, idleTimeoutMs, max, pollMaxInFlightPerClient,
                subscribesPerSecond, adminBindHost, adminPort, faults);
    }

    public EdgeGuards withRequestParseTimeoutMs(long ms) {
        return new EdgeGuards(ms, idleTimeoutMs, maxConnectionsPerAddress, pollMaxInFlightPerClient,
                subscribesPerSecond, adminBindHost, adminPort, faults);
    }

    public EdgeGuards withPollMaxInFlightPerClient(int max) {
        return new EdgeGuards(requestParseTimeoutMs, idleTimeoutMs, maxConnectionsPerAddress, max,
                subscribesPerSecond, adminBindHost, adminPort, faults);
    }

    public EdgeGuards withSubscribesPerSecond(int perSecond) {
        return new EdgeGuards(requestParseTimeoutMs, idleTimeoutMs, maxConnectionsPerAddress,
                pollMaxInFlightPerClient, perSecond, adminBindHost, adminPort, faults);
    }
}
