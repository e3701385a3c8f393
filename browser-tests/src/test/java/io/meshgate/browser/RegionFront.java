package io.meshgate.browser;

import io.undertow.Undertow;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.handlers.ResponseCodeHandler;
import io.undertow.server.handlers.proxy.LoadBalancingProxyClient;
import io.undertow.server.handlers.proxy.ProxyHandler;
import io.undertow.util.Headers;

import java.net.InetSocketAddress;
import java.net.URI;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What stands between a browser and a region: a reverse proxy on 127.0.0.1 (the region's public URL, as a load
 * balancer would be) that forwards everything, WebSocket upgrades included. It can be told to refuse upgrades with
 * 403, as some corporate proxies do (the browser's WebSocket API is left alone: the network blocks it), or to answer
 * every new request with 503, as when the browser's network is cut off.
 */
final class RegionFront implements AutoCloseable {
    private final Undertow server;
    private final AtomicBoolean blockWebSockets;
    private final AtomicBoolean cutOff;
    private final AtomicInteger refusedUpgrades = new AtomicInteger();
    private final int port;
    private volatile HttpHandler proxy;

    /** Listens at once (its URL goes into the configuration); answers 503 until {@link #forwardTo} names the node. */
    RegionFront(AtomicBoolean blockWebSockets, AtomicBoolean cutOff) {
        this.blockWebSockets = blockWebSockets;
        this.cutOff = cutOff;
        this.server = Undertow.builder()
                .addHttpListener(0, "127.0.0.1")
                .setHandler(this::front)
                .build();
        server.start();
        this.port = ((InetSocketAddress) server.getListenerInfo().get(0).getAddress()).getPort();
    }

    /** Forwards from now on to {@code upstreamPort} on 127.0.0.1. */
    void forwardTo(int upstreamPort) {
        LoadBalancingProxyClient upstream = new LoadBalancingProxyClient()
                .addHost(URI.create("http://127.0.0.1:" + upstreamPort))
                .setConnectionsPerThread(20);
        proxy = ProxyHandler.builder()
                .setProxyClient(upstream)
                .setNext(ResponseCodeHandler.HANDLE_404)
                .build();
    }

    private void front(HttpServerExchange exchange) throws Exception {
        HttpHandler forward = proxy;
        if (cutOff.get() || forward == null) {
            exchange.setStatusCode(503);
            exchange.getResponseSender().send(forward == null ? "the region is still starting" : "the test cut the browser off");
            return;
        }
        String upgrade = exchange.getRequestHeaders().getFirst(Headers.UPGRADE);
        if (blockWebSockets.get() && "websocket".equalsIgnoreCase(upgrade)) {
            refusedUpgrades.incrementAndGet();
            exchange.setStatusCode(403);
            exchange.getResponseSender().send("WebSocket is blocked on this network");
            return;
        }
        forward.handleRequest(exchange);
    }

    String url() {
        return "http://127.0.0.1:" + port;
    }

    int refusedUpgrades() {
        return refusedUpgrades.get();
    }

    @Override
    public void close() {
        server.stop();
    }
}
