package io.meshgate.chaos.faults;

import eu.rekawek.toxiproxy.Proxy;
import eu.rekawek.toxiproxy.ToxiproxyClient;

import java.io.IOException;

/** The backend without Docker: a {@link FaultProxyServer} in this JVM, its proxies on free ports of 127.0.0.1. */
final class InJvmToxiproxy implements ToxiproxyHandle {
    private final FaultProxyServer server;
    private final ToxiproxyClient client;

    private InJvmToxiproxy(FaultProxyServer server) {
        this.server = server;
        this.client = server.client();
    }

    static InJvmToxiproxy start() throws IOException {
        return new InJvmToxiproxy(FaultProxyServer.start());
    }

    @Override
    public String description() {
        return "in-JVM fault proxy (Toxiproxy API " + ToxiproxyApiHandler.VERSION + ") on " + server.host() + ":" + server.port();
    }

    @Override
    public ToxiproxyClient client() {
        return client;
    }

    @Override
    public String listenHost() {
        return FaultProxyServer.HOST;
    }

    @Override
    public ProxiedAddress proxy(String name, String upstreamHost, int upstreamPort) throws IOException {
        Proxy proxy = client.createProxy(name, FaultProxyServer.HOST + ":0", upstreamHost + ":" + upstreamPort);
        String listen = proxy.getListen();
        return new ProxiedAddress(proxy, FaultProxyServer.HOST, Integer.parseInt(listen.substring(listen.lastIndexOf(':') + 1)));
    }

    @Override
    public void close() {
        server.close();
    }
}
