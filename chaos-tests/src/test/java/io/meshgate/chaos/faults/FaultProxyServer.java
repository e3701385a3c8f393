package io.meshgate.chaos.faults;

import com.sun.net.httpserver.HttpServer;
import eu.rekawek.toxiproxy.ToxiproxyClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A Toxiproxy-compatible fault proxy in the test JVM, for machines without Docker: the Toxiproxy v2 HTTP API that
 * toxiproxy-java uses, on 127.0.0.1, and real TCP proxies on 127.0.0.1 with the toxics {@code latency},
 * {@code bandwidth}, {@code timeout}, {@code reset_peer} and {@code limit_data} (see {@link ToxicKind}). Toxicity is
 * accepted and ignored. Every thread is a daemon and every buffer bounded; {@link #close()} stops all of it.
 *
 * <pre>{@code
 * try (FaultProxyServer server = FaultProxyServer.start()) {
 *     Proxy proxy = server.client().createProxy("edge", "127.0.0.1:0", "127.0.0.1:" + edgePort);
 *     proxy.toxics().latency("slow", ToxicDirection.DOWNSTREAM, 200);
 *     proxy.disable(); // connections cut, new ones refused
 *     proxy.enable();
 * }
 * }</pre>
 */
public final class FaultProxyServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(FaultProxyServer.class);
    /** The API and, by default, every proxy listen here only: the proxy is a test tool, never reachable from outside. */
    public static final String HOST = "127.0.0.1";

    private final HttpServer http;
    private final ProxyRegistry proxies;
    private final ScheduledExecutorService timers;
    private final AtomicBoolean closed = new AtomicBoolean();

    private FaultProxyServer(HttpServer http, ProxyRegistry proxies, ScheduledExecutorService timers) {
        this.http = http;
        this.proxies = proxies;
        this.timers = timers;
    }

    /** Starts the API on a free port of 127.0.0.1. */
    public static FaultProxyServer start() throws IOException {
        return start(0);
    }

    /** Starts the API on {@code port} of 127.0.0.1 (0 picks a free one; Toxiproxy's own default is 8474). */
    public static FaultProxyServer start(int port) throws IOException {
        ScheduledExecutorService timers = Daemons.scheduler("fault-proxy-timers");
        ProxyRegistry proxies = new ProxyRegistry(timers);
        HttpServer http = HttpServer.create(new InetSocketAddress(HOST, port), 0);
        http.createContext("/", new ToxiproxyApiHandler(proxies));
        startOnDaemonThread(http);
        FaultProxyServer server = new FaultProxyServer(http, proxies, timers);
        log.info("fault proxy: Toxiproxy-compatible API on http://{}:{}", HOST, server.port());
        return server;
    }

    /** The JDK's HTTP dispatcher thread inherits daemon status from the thread that starts the server. */
    private static void startOnDaemonThread(HttpServer http) throws IOException {
        FutureTask<Void> start = new FutureTask<>(http::start, null);
        Daemons.start("fault-proxy-api-start", start);
        try {
            start.get();
        } catch (ExecutionException e) {
            http.stop(0);
            throw new IOException("fault proxy API did not start", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            http.stop(0);
            throw new IOException("interrupted while starting the fault proxy API", e);
        }
    }

    public String host() {
        return HOST;
    }

    public int port() {
        return http.getAddress().getPort();
    }

    /** A new toxiproxy-java client for this server. */
    public ToxiproxyClient client() {
        return new ToxiproxyClient(HOST, port());
    }

    /** Stops the API, closes every proxy and connection, and stops the timers. Later calls do nothing. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        http.stop(0);
        proxies.closeAll();
        timers.shutdownNow();
        log.info("fault proxy: stopped");
    }
}
