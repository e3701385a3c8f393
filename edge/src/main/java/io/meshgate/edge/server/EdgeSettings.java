package io.meshgate.edge.server;

import io.meshgate.edge.session.Limits;

/**
 * Everything an edge needs to know about itself. Units are in the names; defaults are in {@link #defaults}.
 *
 * @param region                 region name, as sent in {@code connected} and {@code /v1/regions}
 * @param node                   node name, as sent in {@code connected}
 * @param host                   address the edge binds
 * @param port                   edge port (0 picks a free one; tests use that)
 * @param publicUrl              base URL clients use to reach this region ({@code http[s]://host:port}); null = this
 *                               node's own address
 * @param limits                 input limits
 * @param pingMs                 server ping interval; a client silent for twice this is dropped
 * @param connectTimeoutMs       time a new WebSocket has to send {@code connect}
 * @param outboundMaxFrames      frames queued for one connection before it is closed 4008
 * @param outboundMaxBytes       bytes queued for one connection before it is closed 4008
 * @param badFramesPerMinute     bad frames within a minute that close a connection with 4400
 * @param publishesPerSecond     publishes one connection may make per second (more are nacked rate_limited)
 * @param clientPublishesPerSecond publishes one client ({@code sub}) may make per second at this node, over all its
 *                               connections and HTTP
 * @param rateLimitedCloseAfter  rate-limited publishes within 10 s that close a connection with 4029
 * @param pollDefaultWaitS       long-poll hold time when the request gives none
 * @param pollMaxWaitS           longest long-poll hold time a request may ask for
 * @param pollMaxMessages        messages in one long-poll answer
 * @param pollMaxChannels        channels in one long-poll request
 * @param pollMaxInFlight        long-polls one node holds at once; more are answered 503 at once (retry elsewhere)
 * @param closeGraceMs           after sending a close frame, how long to wait for the peer before dropping the socket
 * @param moveJitterMs           spread of {@code after_ms} in {@code move}, so moved clients do not stampede
 * @param drainTimeoutMs         how long a drain waits for in-flight acks before the node exits anyway
 * @param readyHoldMs            once not ready, how long {@code /readyz} stays not ready at least (damping)
 * @param adminToken             bearer token for {@code /admin/*}; null allows only loopback callers, and is refused
 *                               at start when the edge binds beyond loopback
 * @param guards                 timeouts, connection and rate caps, and the admin listener
 */
public record EdgeSettings(String region, String node, String host, int port, String publicUrl, Limits limits,
                           long pingMs, long connectTimeoutMs, int outboundMaxFrames, long outboundMaxBytes,
                           int badFramesPerMinute, int publishesPerSecond, int clientPublishesPerSecond,
                           int rateLimitedCloseAfter,
                           int pollDefaultWaitS, int pollMaxWaitS, int pollMaxMessages, int pollMaxChannels,
                           int pollMaxInFlight, long closeGraceMs, long moveJitterMs, long drainTimeoutMs, long readyHoldMs,
                           String adminToken, EdgeGuards guards) {

    public static EdgeSettings defaults(String region, String node, String host, int port) {
        return new EdgeSettings(region, node, host, port, null, Limits.DEFAULTS, 15_000, 10_000, 4096,
                8L * 1024 * 1024, 10, 1000, 2000, 100, 25, 55, 1000, 100, 20_000, 5_000, 5_000, 30_000, 5_000, null,
                EdgeGuards.DEFAULTS);
    }

    public EdgeSettings withPingMs(long value) {
        return with(b -> b.pingMs = value);
    }

    public EdgeSettings withConnectTimeoutMs(long value) {
        return with(b -> b.connectTimeoutMs = value);
    }

    public EdgeSettings withAdminToken(String value) {
        return with(b -> b.adminToken = value);
    }

    public EdgeSettings withGuards(java.util.function.UnaryOperator<EdgeGuards> change) {
        return with(b -> b.guards = change.apply(b.guards));
    }

    public EdgeSettings withLimits(Limits value) {
        return with(b -> b.limits = value);
    }

    public EdgeSettings withOutbound(int maxFrames, long maxBytes) {
        return with(b -> {
            b.outboundMaxFrames = maxFrames;
            b.outboundMaxBytes = maxBytes;
        });
    }

    /** Sets the per-connection and the per-client publish rate. */
    public EdgeSettings withPublishesPerSecond(int value) {
        return with(b -> {
            b.publishesPerSecond = value;
            b.clientPublishesPerSecond = value;
        });
    }

    public EdgeSettings withPublishRate(int perSecond, int closeAfterRateLimited) {
        return with(b -> {
            b.publishesPerSecond = perSecond;
            b.clientPublishesPerSecond = perSecond;
            b.rateLimitedCloseAfter = closeAfterRateLimited;
        });
    }

    public EdgeSettings withPollWait(int defaultWaitS, int maxWaitS) {
        return with(b -> {
            b.pollDefaultWaitS = defaultWaitS;
            b.pollMaxWaitS = maxWaitS;
        });
    }

    /** A copy with some values changed; one place that knows the constructor, so every {@code withX} stays a line. */
    public EdgeSettings with(java.util.function.Consumer<Builder> change) {
        Builder b = new Builder(this);
        change.accept(b);
        return b.build();
    }

    /** Mutable copy of every component, for {@link #with}. */
    public static final class Builder {
        public String region;
        public String node;
        public String host;
        public int port;
        public String publicUrl;
        public Limits limits;
        public long pingMs;
        public long connectTimeoutMs;
        public int outboundMaxFrames;
        public long outboundMaxBytes;
        public int badFramesPerMinute;
        public int publishesPerSecond;
        public int clientPublishesPerSecond;
        public int rateLimitedCloseAfter;
        public int pollDefaultWaitS;
        public int pollMaxWaitS;
        public int pollMaxMessages;
        public int pollMaxChannels;
        public int pollMaxInFlight;
        public long closeGraceMs;
        public long moveJitterMs;
        public long drainTimeoutMs;
        public long readyHoldMs;
        public String adminToken;
        public EdgeGuards guards;

        private Builder(EdgeSettings s) {
            region = s.region;
            node = s.node;
            host = s.host;
            port = s.port;
            publicUrl = s.publicUrl;
            limits = s.limits;
            pingMs = s.pingMs;
            connectTimeoutMs = s.connectTimeoutMs;
            outboundMaxFrames = s.outboundMaxFrames;
            outboundMaxBytes = s.outboundMaxBytes;
            badFramesPerMinute = s.badFramesPerMinute;
            publishesPerSecond = s.publishesPerSecond;
            clientPublishesPerSecond = s.clientPublishesPerSecond;
            rateLimitedCloseAfter = s.rateLimitedCloseAfter;
            pollDefaultWaitS = s.pollDefaultWaitS;
            pollMaxWaitS = s.pollMaxWaitS;
            pollMaxMessages = s.pollMaxMessages;
            pollMaxChannels = s.pollMaxChannels;
            pollMaxInFlight = s.pollMaxInFlight;
            closeGraceMs = s.closeGraceMs;
            moveJitterMs = s.moveJitterMs;
            drainTimeoutMs = s.drainTimeoutMs;
            readyHoldMs = s.readyHoldMs;
            adminToken = s.adminToken;
            guards = s.guards;
        }

        private EdgeSettings build() {
            return new EdgeSettings(region, node, host, port, publicUrl, limits, pingMs, connectTimeoutMs,
                    outboundMaxFrames, outboundMaxBytes, badFramesPerMinute, publishesPerSecond,
                    clientPublishesPerSecond, rateLimitedCloseAfter, pollDefaultWaitS, pollMaxWaitS, pollMaxMessages, pollMaxChannels,
                    pollMaxInFlight, closeGraceMs, moveJitterMs, drainTimeoutMs, readyHoldMs, adminToken,
                    guards);
        }
    }
}
