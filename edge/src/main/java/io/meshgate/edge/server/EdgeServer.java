package io.meshgate.edge.server;

import io.meshgate.edge.discovery.PingHandler;
import io.meshgate.edge.discovery.RegionDirectory;
import io.meshgate.edge.discovery.RegionsHandler;
import io.meshgate.edge.http.CorsHandler;
import io.meshgate.edge.http.HttpReplies;
import io.meshgate.edge.longpoll.PollHandler;
import io.meshgate.edge.longpoll.PublishHandler;
import io.meshgate.edge.ops.AdminHandler;
import io.meshgate.edge.ops.DrainController;
import io.meshgate.edge.ops.HealthHandlers;
import io.meshgate.edge.ops.Readiness;
import io.meshgate.edge.protocol.ErrorCode;
import io.meshgate.edge.web.WebAssetsHandler;
import io.meshgate.edge.websocket.WebSocketEndpoint;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.undertow.Handlers;
import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import io.undertow.server.HttpHandler;
import io.undertow.server.handlers.PathHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLContext;
import java.net.InetSocketAddress;

/** One edge's Undertow server and its routes. */
public final class EdgeServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EdgeServer.class);

    private final Undertow undertow;
    private final int port;

    public EdgeServer(EdgeContext ctx, String bindHost, WebSocketEndpoint webSockets, RegionDirectory directory, Readiness readiness,
                      DrainController drain, PrometheusMeterRegistry prometheus, SSLContext tls,
                      java.util.function.Supplier<String> meshStatus) {
        EdgeSettings s = ctx.settings();
        WebAssetsHandler web = WebAssetsHandler.load();
        PathHandler paths = Handlers.path(notFound())
                .addExactPath("/v1/ws", webSockets.handler(exchange -> HttpReplies.error(exchange, 426,
                        ErrorCode.BAD_REQUEST, "/v1/ws is a WebSocket endpoint: send an Upgrade: websocket request")))
                .addExactPath("/v1/poll", new CorsHandler(new PollHandler(ctx)))
                .addExactPath("/v1/publish", new CorsHandler(new PublishHandler(ctx)))
                .addExactPath("/v1/regions", new CorsHandler(new RegionsHandler(directory)))
                .addExactPath("/v1/ping", new CorsHandler(new PingHandler()))
                // Open to every origin like the API, so pages served elsewhere can import the client.
                .addExactPath("/client.js", new CorsHandler(web))
                .addPrefixPath("/demo", web)
                .addExactPath("/healthz", HealthHandlers.health())
                .addExactPath("/readyz", HealthHandlers.ready(readiness))
                .addExactPath("/metrics", HealthHandlers.metrics(prometheus))
                .addPrefixPath("/admin", new AdminHandler(drain, s.adminToken(), meshStatus));
        HttpHandler root = Handlers.exceptionHandler(paths).addExceptionHandler(Throwable.class, exchange -> {
            Throwable t = exchange.getAttachment(io.undertow.server.handlers.ExceptionHandler.THROWABLE);
            LOG.error("unhandled error on {}", exchange.getRequestPath(), t);
            if (!exchange.isResponseStarted()) {
                HttpReplies.error(exchange, 500, ErrorCode.UNAVAILABLE, "internal error");
            }
        });
        int ioThreads = Math.max(2, Runtime.getRuntime().availableProcessors());
        Undertow.Builder builder = Undertow.builder();
        if (tls != null) {
            builder.addHttpsListener(s.port(), bindHost, tls);
        } else {
            builder.addHttpListener(s.port(), bindHost);
        }
        this.undertow = builder
                .setIoThreads(ioThreads)
                .setWorkerThreads(ioThreads * 4)
                .setServerOption(UndertowOptions.DECODE_URL, false)
                // Characters a URL should have escaped ({, |, " ...) reach the handlers, which answer them with the
                // protocol's error object; refused here, they would get Undertow's bare 400 without one. (Malformed
                // percent-escapes such as %zz are still refused by Undertow's request parser itself.)
                .setServerOption(UndertowOptions.ALLOW_UNESCAPED_CHARACTERS_IN_URL, true)
                .setServerOption(UndertowOptions.MAX_ENTITY_SIZE,
                        PublishHandler.maxEntityBytes(s.limits().maxFrameBytes()))
                .setServerOption(UndertowOptions.MAX_PARAMETERS, 1000)
                .setServerOption(UndertowOptions.MAX_HEADER_SIZE, 64 * 1024)
                .setServerOption(UndertowOptions.NO_REQUEST_TIMEOUT, 120_000)
                .setHandler(root)
                .build();
        undertow.start();
        this.port = ((InetSocketAddress) undertow.getListenerInfo().get(0).getAddress()).getPort();
        LOG.info("edge {}/{} listening on {}:{}, reached as {}://{}:{} (WebSocket at /v1/ws)", s.region(), s.node(),
                bindHost, port, tls != null ? "https" : "http", s.host(), port);
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
        undertow.stop();
    }
}
