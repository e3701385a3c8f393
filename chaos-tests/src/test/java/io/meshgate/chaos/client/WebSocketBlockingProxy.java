package io.meshgate.chaos.client;

import io.undertow.Undertow;
import io.undertow.server.HttpHandler;
import io.undertow.server.handlers.proxy.LoadBalancingProxyClient;
import io.undertow.server.handlers.proxy.ProxyHandler;
import io.undertow.util.Headers;

import java.net.URI;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A reverse proxy as some corporate networks run one: plain HTTP passes (long polls included, held as long as the
 * edge holds them), and every WebSocket upgrade is answered 403.
 */
public final class WebSocketBlockingProxy implements AutoCloseable {
    private final Undertow server;
    private final AtomicInteger refusedUpgrades = new AtomicInteger();

    private WebSocketBlockingProxy(int port, URI upstream) {
        LoadBalancingProxyClient upstreams = new LoadBalancingProxyClient().addHost(upstream)
                .setConnectionsPerThread(8);
        HttpHandler forward = ProxyHandler.builder().setProxyClient(upstreams).setMaxRequestTime(120_000).build();
        HttpHandler handler = exchange -> {
            if ("websocket".equalsIgnoreCase(exchange.getRequestHeaders().getFirst(Headers.UPGRADE))) {
                refusedUpgrades.incrementAndGet();
                exchange.setStatusCode(403);
                exchange.endExchange();
                return;
            }
            forward.handleRequest(exchange);
        };
        this.server = Undertow.builder().addHttpListener(port, "127.0.0.1").setHandler(handler).build();
        server.start();
    }

    /** Listens on 127.0.0.1:{@code port} and forwards to {@code upstream} (a base URL). */
    public static WebSocketBlockingProxy start(int port, URI upstream) {
        return new WebSocketBlockingProxy(port, upstream);
    }

    /** WebSocket upgrades answered 403 so far. */
    public int refusedUpgrades() {
        return refusedUpgrades.get();
    }

    @Override
    public void close() {
        server.stop();
    }
}
