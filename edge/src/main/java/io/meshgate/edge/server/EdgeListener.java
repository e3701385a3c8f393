package io.meshgate.edge.server;

import io.undertow.UndertowOptions;
import io.undertow.connector.ByteBufferPool;
import io.undertow.protocols.ssl.UndertowXnioSsl;
import io.undertow.server.DefaultByteBufferPool;
import io.undertow.server.HttpHandler;
import io.undertow.server.protocol.http.HttpOpenListener;
import io.micrometer.core.instrument.MeterRegistry;
import org.xnio.ChannelListener;
import org.xnio.IoUtils;
import org.xnio.OptionMap;
import org.xnio.Options;
import org.xnio.StreamConnection;
import org.xnio.Xnio;
import org.xnio.XnioWorker;
import org.xnio.channels.AcceptingChannel;

import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * The edge port: Undertow's HTTP/1.1 stack (plain or TLS) behind an {@link AcceptGate}. Undertow's builder offers no
 * hook between accepting a socket and handing it to the HTTP parser, which is where a per-address cap must count, so
 * this class assembles the same parts the builder would (an XNIO worker, a buffer pool, an {@link HttpOpenListener})
 * with the gate in front, and with a {@link ParserRefusalConduit} under every connection so that a request Undertow's
 * parser refuses still gets the protocol's {@code error} object.
 *
 * <p>Built and closed by {@link EdgeServer} on the thread that starts or stops the node.
 */
final class EdgeListener implements AutoCloseable {
    private static final int BACKLOG = 1000;
    /** 16 KiB less room for protocol headers, Undertow's own default for a heap of 128 MB or more. */
    private static final int BUFFER_BYTES = 16 * 1024 - 20;

    private final XnioWorker worker;
    private final AcceptingChannel<? extends StreamConnection> server;

    /**
     * @param tls           null for plain HTTP
     * @param serverOptions Undertow options ({@link UndertowOptions}) for every connection
     * @param gated         the root handler, given the gate so it can answer the sockets accepted over the cap
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    EdgeListener(String bindHost, int port, SSLContext tls, int ioThreads, int workerThreads, OptionMap serverOptions,
                 EdgeGuards guards, java.util.function.Function<AcceptGate, HttpHandler> gated,
                 MeterRegistry meters) {
        Xnio xnio = Xnio.getInstance(EdgeListener.class.getClassLoader());
        XnioWorker started = null;
        try {
            started = xnio.createWorker(OptionMap.builder()
                    .set(Options.WORKER_IO_THREADS, ioThreads)
                    // The gate, not XNIO's accept throttle, limits connections: set its marks out of reach.
                    .set(Options.CONNECTION_HIGH_WATER, 1_000_000)
                    .set(Options.CONNECTION_LOW_WATER, 1_000_000)
                    .set(Options.WORKER_TASK_CORE_THREADS, workerThreads)
                    .set(Options.WORKER_TASK_MAX_THREADS, workerThreads)
                    .set(Options.TCP_NODELAY, true)
                    .set(Options.CORK, true)
                    .getMap());
            OptionMap socketOptions = OptionMap.builder()
                    .set(Options.WORKER_IO_THREADS, ioThreads)
                    .set(Options.TCP_NODELAY, true)
                    .set(Options.REUSE_ADDRESSES, true)
                    .set(Options.BALANCING_TOKENS, 1)
                    .set(Options.BALANCING_CONNECTIONS, 2)
                    .set(Options.BACKLOG, BACKLOG)
                    .getMap();
            OptionMap undertowOptions = OptionMap.builder()
                    .set(UndertowOptions.BUFFER_PIPELINED_DATA, true)
                    .addAll(serverOptions)
                    .getMap();
            ByteBufferPool buffers = new DefaultByteBufferPool(true, BUFFER_BYTES, -1, 4);
            HttpOpenListener http = new HttpOpenListener(buffers, undertowOptions);
            ChannelListener<StreamConnection> open = connection -> {
                connection.getSinkChannel().setConduit(new ParserRefusalConduit(
                        connection.getSinkChannel().getConduit()));
                http.handleEvent(connection);
            };
            AcceptGate gate = new AcceptGate(guards.maxConnectionsPerAddress(), guards.requestParseTimeoutMs(),
                    open, meters);
            http.setRootHandler(gated.apply(gate));
            InetSocketAddress address = new InetSocketAddress(InetAddress.getByName(bindHost), port);
            if (tls == null) {
                this.server = started.createStreamConnectionServer(address, (ChannelListener) gate, socketOptions);
            } else {
                UndertowXnioSsl ssl = new UndertowXnioSsl(xnio, OptionMap.create(Options.USE_DIRECT_BUFFERS, true),
                        tls);
                this.server = ssl.createSslConnectionServer(started, address, (ChannelListener) gate, socketOptions);
            }
            server.resumeAccepts();
            this.worker = started;
        } catch (IOException | RuntimeException e) {
            // Nothing half-started stays behind: the worker's threads would keep the JVM from exiting.
            if (started != null) {
                started.shutdownNow();
            }
            throw e instanceof RuntimeException r ? r : new UncheckedIOException((IOException) e);
        }
    }

    int port() {
        return server.getLocalAddress(InetSocketAddress.class).getPort();
    }

    /** Stops accepting, then stops the worker, which closes the connections it still has. */
    @Override
    public void close() {
        IoUtils.safeClose(server);
        worker.shutdown();
        try {
            if (!worker.awaitTermination(5, java.util.concurrent.TimeUnit.SECONDS)) {
                worker.shutdownNow();
            }
        } catch (InterruptedException e) {
            worker.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
