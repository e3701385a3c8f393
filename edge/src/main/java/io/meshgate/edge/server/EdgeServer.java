package io.meshgate.edge.server;

import io.meshgate.edge.discovery.PingHandler;
import io.meshgate.edge.discovery.RegionDirectory;
import io.meshgate.edge.discovery.RegionsHandler;
import io.meshgate.edge.http.CorsHandler;
import io.meshgate.edge.http.HttpReplies;
import io.meshgate.edge.longpoll.PollHandler;
import io.meshgate.edge.longpoll.PublishHandler;
import io.meshgate.edge.ops.AdminAccess;
import io.meshgate.edge.ops.AdminHandler;
import io.meshgate.edge.ops.FaultsHandler;
import io.meshgate.edge.ops.BrowserGuard;
import io.meshgate.edge.ops.DrainController;
import io.meshgate.edge.ops.ServiceSwitch;
import io.meshgate.edge.ops.HealthHandlers;
import io.meshgate.edge.ops.Readiness;
import io.meshgate.edge.protocol.ErrorCode;
import io.meshgate.edge.status.StatusBoard;
import io.meshgate.edge.status.StatusHandler;
import io.meshgate.relay.node.MeshOperations;
import io.meshgate.edge.web.ChannelHomeHandler;
import io.meshgate.edge.web.WebAssetsHandler;
import io.meshgate.edge.websocket.WebSocketEndpoint;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.undertow.Handlers;
import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import io.undertow.server.HttpHandler;
import io.undertow.server.handlers.PathHandler;
import io.undertow.websockets.WebSocketConnectionCallback;
import io.undertow.websockets.core.WebSocketCallback;
import io.undertow.websockets.core.WebSocketChannel;
import io.undertow.websockets.core.WebSockets;
import io.meshgate.relay.region.BindAddress;
import org.xnio.IoUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLContext;
import java.net.InetSocketAddress;

/** One edge's Undertow server and its routes. */
public final class EdgeServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EdgeServer.class);

    private final EdgeListener edge;
    private final Undertow admin;
    private final int port;

    public EdgeServer(EdgeContext ctx, String bindHost, WebSocketEndpoint webSockets, RegionDirectory directory, Readiness readiness,
                      DrainController drain, ServiceSwitch service, PrometheusMeterRegistry prometheus, SSLContext tls,
                      java.util.function.Supplier<String> meshStatus,
                      java.util.function.UnaryOperator<String> channelHome,
                      java.util.function.UnaryOperator<String> channelReport, StatusBoard status,
                      MeshOperations meshOperations,
                      io.meshgate.edge.ops.HomeControlHandler homeControl) {
        EdgeSettings s = ctx.settings();
        EdgeGuards guards = s.guards();
        checkExposure(s, bindHost);
        WebAssetsHandler web = WebAssetsHandler.load();
        WebSocketConnectionCallback capped = (exchange, channel) -> {
            if (ConnectionCapHandler.isOverCap(exchange)) {
                WebSockets.sendClose(CLOSE_TRY_AGAIN_LATER, "too many connections from your address", channel,
                        new CloseAfterSend());
                return;
            }
            webSockets.onConnect(exchange, channel);
        };
        PathHandler paths = Handlers.path(notFound())
                .addExactPath("/v1/ws", webSockets.handler(capped, exchange -> HttpReplies.error(exchange, 426,
                        ErrorCode.BAD_REQUEST, "/v1/ws is a WebSocket endpoint: send an Upgrade: websocket request")))
                .addExactPath("/v1/poll", new CorsHandler(new PollHandler(ctx)))
                .addExactPath("/v1/publish", new CorsHandler(new PublishHandler(ctx)))
                .addExactPath("/v1/regions", new CorsHandler(new RegionsHandler(directory)))
                .addExactPath("/v1/ping", new CorsHandler(new PingHandler()))
                // Open to every origin like the API, so pages served elsewhere can import the client.
                .addExactPath("/client.js", new CorsHandler(web))
                .addExactPath("/client.mjs", new CorsHandler(web))
                .addExactPath("/", web)
                .addExactPath("/demo/home", new ChannelHomeHandler(channelHome))
                .addPrefixPath("/demo", web)
                .addExactPath("/healthz", HealthHandlers.health())
                .addExactPath("/readyz", HealthHandlers.ready(readiness));
        PathHandler operatorPaths = guards.separateAdminPort() ? Handlers.path(notFound())
                .addExactPath("/healthz", HealthHandlers.health())
                .addExactPath("/readyz", HealthHandlers.ready(readiness)) : paths;
        BrowserGuard browsers = new BrowserGuard(java.util.stream.Stream.of(s.host(), bindHost, guards.adminBindHost(),
                publicHost(s.publicUrl())).filter(h -> h != null && !h.isEmpty()).collect(
                java.util.stream.Collectors.toSet()));
        AdminAccess access = new AdminAccess(s.adminToken(), browsers);
        operatorPaths.addExactPath("/metrics", HealthHandlers.metrics(prometheus, access))
                .addPrefixPath("/admin", new AdminHandler(drain, service, channelReport, s.adminToken(), meshStatus, browsers,
                        homeControl))
                .addPrefixPath("/admin/faults", new FaultsHandler(meshOperations, guards.faults(), access))
                .addPrefixPath("/status", new StatusHandler(status, access, browsers, MAX_STATUS_STREAMS));
        int ioThreads = Math.max(2, Runtime.getRuntime().availableProcessors());
        org.xnio.OptionMap serverOptions = RequestHeadLimits.parseCeilings(org.xnio.OptionMap.builder())
                .set(UndertowOptions.REQUEST_PARSE_TIMEOUT, (int) guards.requestParseTimeoutMs())
                .set(UndertowOptions.NO_REQUEST_TIMEOUT, (int) guards.idleTimeoutMs())
                .set(UndertowOptions.DECODE_URL, false)
                // Characters a URL should have escaped ({, |, " ...) reach the handlers, which answer them with the
                // protocol's error object. (Malformed percent-escapes such as %zz are still refused by Undertow's
                // request parser itself; ParserRefusalConduit gives that refusal the error object.)
                .set(UndertowOptions.ALLOW_UNESCAPED_CHARACTERS_IN_URL, true)
                .set(UndertowOptions.MAX_ENTITY_SIZE, PublishHandler.maxEntityBytes(s.limits().maxFrameBytes()))
                .getMap();
        this.edge = new EdgeListener(bindHost, s.port(), tls, ioThreads, ioThreads * 4, serverOptions, guards,
                gate -> new RequestHeadLimits(new ConnectionCapHandler(guards.maxConnectionsPerAddress(), gate,
                        guarded(paths))), prometheus);
        this.admin = guards.separateAdminPort() ? hardened(Undertow.builder(), guards)
                .addHttpListener(guards.adminPort(), guards.adminBindHost())
                .setIoThreads(1)
                .setWorkerThreads(2)
                .setHandler(guarded(operatorPaths))
                .build() : null;
        if (admin != null) {
            admin.start();
        }
        this.port = edge.port();
        LOG.info("edge {}/{} listening on {}:{}, reached as {}://{}:{} (WebSocket at /v1/ws); admin and metrics {}",
                s.region(), s.node(), bindHost, port, tls != null ? "https" : "http", s.host(), port,
                admin == null ? "on the edge port" : "on " + guards.adminBindHost() + ":" + adminPort());
    }

    /** Status pages streaming at once from one node; more get 503 (each costs a socket and a push per second). */
    static final int MAX_STATUS_STREAMS = 16;

    /** Close code 1013 "try again later": the WebSocket answer to a connection over its address's cap. */
    static final int CLOSE_TRY_AGAIN_LATER = 1013;

    /** Timeouts every listener has: a request head must arrive within the parse timeout, idle sockets go. */
    private static Undertow.Builder hardened(Undertow.Builder builder, EdgeGuards guards) {
        return builder
                .setServerOption(UndertowOptions.REQUEST_PARSE_TIMEOUT, (int) guards.requestParseTimeoutMs())
                .setServerOption(UndertowOptions.NO_REQUEST_TIMEOUT, (int) guards.idleTimeoutMs());
    }

    private static HttpHandler guarded(HttpHandler paths) {
        return Handlers.exceptionHandler(paths).addExceptionHandler(Throwable.class, exchange -> {
            Throwable t = exchange.getAttachment(io.undertow.server.handlers.ExceptionHandler.THROWABLE);
            LOG.error("unhandled error on {}", exchange.getRequestPath(), t);
            if (!exchange.isResponseStarted()) {
                HttpReplies.error(exchange, 500, ErrorCode.UNAVAILABLE, "internal error");
            }
        });
    }

    /**
     * Refuses an edge that binds beyond loopback with operator endpoints anyone could reach: the admin token is
     * then required, and admin calls and metrics must have their own listener.
     */
    static void checkExposure(EdgeSettings s, String bindHost) {
        if (BindAddress.isLoopback(bindHost)) {
            return;
        }
        if (s.adminToken() == null || s.adminToken().isEmpty()) {
            throw new IllegalStateException("the edge binds " + bindHost + ", which is not loopback, and admin.token"
                    + " is not set: set admin.token (a bearer token for /admin/*), or bind 127.0.0.1");
        }
        if (!s.guards().separateAdminPort()) {
            throw new IllegalStateException("the edge binds " + bindHost + ", which is not loopback, and the"
                    + " node's adminPort is not set: set regions[].nodes[].adminPort (and admin.bindHost, default"
                    + " 127.0.0.1) so /admin/* and /metrics are served apart from the client port");
        }
    }

    private static String publicHost(String publicUrl) {
        if (publicUrl == null || publicUrl.isEmpty()) {
            return null;
        }
        try {
            return java.net.URI.create(publicUrl).getHost();
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** Closes the socket once the 1013 close frame is written: an over-cap client gets no more of our time. */
    private static final class CloseAfterSend implements WebSocketCallback<Void> {
        @Override
        public void complete(WebSocketChannel channel, Void context) {
            IoUtils.safeClose(channel);
        }

        @Override
        public void onError(WebSocketChannel channel, Void context, Throwable throwable) {
            IoUtils.safeClose(channel);
        }
    }

    /** The admin listener's port; -1 when admin and metrics share the edge port. */
    public int adminPort() {
        return admin == null ? -1 : ((InetSocketAddress) admin.getListenerInfo().get(0).getAddress()).getPort();
    }

    private static HttpHandler notFound() {
        return exchange -> HttpReplies.error(exchange, 404, ErrorCode.BAD_REQUEST,
                "no such path: " + exchange.getRequestPath());
    }

    public int port() {
        return port;
    }

    @Override
    public void close() {
        edge.close();
        if (admin != null) {
            admin.stop();
        }
    }
}
