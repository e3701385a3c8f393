package io.meshgate.chaos.faults;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.Socket;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * One proxied connection: the client's socket, the socket to the upstream, and a {@link LinkPipe} each way. It ends
 * when both directions have ended (each half-closes its output on end of stream), when either fails, or when a fault
 * closes it; {@link #close} and {@link #reset} may be called from any thread and act once.
 */
final class ProxyLink {
    private static final Logger log = LoggerFactory.getLogger(ProxyLink.class);

    private final String name;
    private final Socket client;
    private final Socket upstream;
    private final ScheduledExecutorService timers;
    private final Consumer<ProxyLink> onClosed;
    private final LinkPipe toUpstream;
    private final LinkPipe toClient;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicInteger finishedPipes = new AtomicInteger();

    ProxyLink(String name, Socket client, Socket upstream, ToxicTable toxics, ScheduledExecutorService timers,
              Consumer<ProxyLink> onClosed) {
        this.name = name;
        this.client = client;
        this.upstream = upstream;
        this.timers = timers;
        this.onClosed = onClosed;
        this.toUpstream = new LinkPipe(this, Stream.UPSTREAM, client, upstream, toxics);
        this.toClient = new LinkPipe(this, Stream.DOWNSTREAM, upstream, client, toxics);
    }

    void start() {
        toUpstream.start(name);
        toClient.start(name);
    }

    boolean isClosed() {
        return closed.get();
    }

    /** A direction delivered its end of stream; the link is done once both have. */
    void pipeFinished() {
        if (finishedPipes.incrementAndGet() == 2) {
            close("both directions ended");
        }
    }

    /** Closes both sockets normally (FIN), as Toxiproxy does when a proxy is disabled or a timeout expires. */
    void close(String reason) {
        if (closed.compareAndSet(false, true)) {
            log.debug("{} closed: {}", name, reason);
            closeQuietly(client);
            closeQuietly(upstream);
            toUpstream.interrupt();
            toClient.interrupt();
            onClosed.accept(this);
        }
    }

    /** Resets both sockets: SO_LINGER 0 makes close() send RST and discard unsent data. */
    void reset(String reason) {
        if (closed.get()) {
            return;
        }
        try {
            client.setSoLinger(true, 0);
            upstream.setSoLinger(true, 0);
        } catch (IOException e) {
            log.debug("{}: could not set SO_LINGER 0 ({}); closing normally", name, e.getMessage());
        }
        close("reset: " + reason);
    }

    void resetAfter(long delayMs, String reason) {
        later(delayMs, () -> reset(reason));
    }

    /** Closes the link after {@code delayMs} if that same timeout toxic is still configured then. */
    void closeAfter(Toxic timeout, long delayMs, ToxicTable toxics) {
        later(delayMs, () -> {
            if (toxics.isCurrent(timeout)) {
                close("timeout " + timeout.name() + " expired");
            }
        });
    }

    private void later(long delayMs, Runnable action) {
        if (delayMs <= 0) {
            action.run();
            return;
        }
        try {
            timers.schedule(action, delayMs, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            close("fault proxy stopped"); // the server is closing and takes every link with it
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // Closing a socket that failed already: nothing more to do with it.
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
