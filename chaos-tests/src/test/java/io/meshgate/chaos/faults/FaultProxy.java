package io.meshgate.chaos.faults;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;

/**
 * One named proxy: a TCP listener that forwards each accepted connection to {@code upstream} through a
 * {@link ProxyLink}, and the {@link ToxicTable} those links obey. Disabling it closes the listener (new connections
 * are refused) and every open link; enabling it listens again on the same address. Configuration changes come from
 * API requests and are serialized on this object; one accept thread per listening period reads them.
 */
final class FaultProxy {
    private static final Logger log = LoggerFactory.getLogger(FaultProxy.class);
    /** Upstreams are loopback or LAN addresses in tests: refused is immediate, so a short wait is only a backstop. */
    private static final int UPSTREAM_CONNECT_TIMEOUT_MS = 2_000;

    private final String name;
    private final ToxicTable toxics = new ToxicTable();
    private final ScheduledExecutorService timers;
    private final Set<ProxyLink> links = ConcurrentHashMap.newKeySet();

    // Guarded by this.
    private String listen;
    private String upstream;
    private ServerSocket listener;
    private long linksOpened;

    FaultProxy(String name, String listen, String upstream, ScheduledExecutorService timers) {
        this.name = name;
        this.listen = listen;
        this.upstream = upstream;
        this.timers = timers;
        HostPort.parse("upstream", upstream);
    }

    String name() {
        return name;
    }

    ToxicTable toxics() {
        return toxics;
    }

    synchronized String listen() {
        return listen;
    }

    synchronized String upstream() {
        return upstream;
    }

    synchronized boolean enabled() {
        return listener != null;
    }

    /** Listens on {@code listen}; a port of 0 picks a free one, and {@code listen} then reports the real port. */
    synchronized void enable() {
        if (listener != null) {
            return;
        }
        HostPort address = HostPort.parse("listen", listen);
        ServerSocket socket = null;
        try {
            socket = new ServerSocket();
            socket.setReuseAddress(true);
            socket.bind(address.resolve());
        } catch (IOException e) {
            closeQuietly(socket);
            throw new ApiError(500, "listen tcp " + listen + ": " + e.getMessage());
        }
        listener = socket;
        listen = HostPort.format(socket.getInetAddress(), socket.getLocalPort());
        ServerSocket accepting = socket;
        Daemons.start("fault-proxy-" + name + "-accept", () -> acceptLoop(accepting));
        log.info("fault proxy {}: listening on {}, forwarding to {}", name, listen, upstream);
    }

    /** Stops listening (connections are refused) and closes every open connection: the link is cut. */
    void disable() {
        synchronized (this) {
            if (listener == null) {
                return;
            }
            closeQuietly(listener);
            listener = null;
        }
        List<ProxyLink> open = List.copyOf(links);
        open.forEach(link -> link.close("proxy " + name + " disabled"));
        log.info("fault proxy {}: disabled, {} connection(s) closed", name, open.size());
    }

    /** Applies an update as Toxiproxy does: a new address restarts the proxy; then it is enabled or disabled. */
    void update(String newListen, String newUpstream, boolean enable) {
        HostPort.parse("upstream", newUpstream);
        boolean moved;
        synchronized (this) {
            moved = !newListen.equals(listen) || !newUpstream.equals(upstream);
        }
        if (moved) {
            disable();
            synchronized (this) {
                listen = newListen;
                upstream = newUpstream;
            }
        }
        if (enable) {
            enable();
        } else {
            disable();
        }
    }

    void addToxic(Toxic toxic) {
        toxics.add(toxic);
        armTimeout(toxic, List.copyOf(links));
        log.info("fault proxy {}: toxic added {}", name, toxic);
    }

    void replaceToxic(Toxic toxic) {
        toxics.replace(toxic);
        armTimeout(toxic, List.copyOf(links));
        log.info("fault proxy {}: toxic updated {}", name, toxic);
    }

    void removeToxic(String toxicName) {
        toxics.remove(toxicName);
        log.info("fault proxy {}: toxic {} removed", name, toxicName);
    }

    /** Toxiproxy's reset: enabled again, and no toxics. */
    void reset() {
        toxics.clear();
        enable();
    }

    private void acceptLoop(ServerSocket socket) {
        while (!socket.isClosed()) {
            Socket client;
            try {
                client = socket.accept();
            } catch (IOException e) {
                if (!socket.isClosed()) {
                    log.warn("fault proxy {}: accept failed, no longer listening: {}", name, e.toString());
                }
                return;
            }
            forward(socket, client);
        }
    }

    private void forward(ServerSocket acceptedBy, Socket client) {
        Socket server = new Socket();
        String target = upstream();
        try {
            server.connect(HostPort.parse("upstream", target).resolve(), UPSTREAM_CONNECT_TIMEOUT_MS);
            client.setTcpNoDelay(true);
            server.setTcpNoDelay(true);
        } catch (IOException e) {
            // As Toxiproxy does: the client is accepted, then closed, when the upstream cannot be reached.
            log.info("fault proxy {}: upstream {} unreachable ({}); closing the client connection", name, target, e.getMessage());
            closeQuietly(client);
            closeQuietly(server);
            return;
        }
        register(acceptedBy, client, server);
    }

    private synchronized void register(ServerSocket acceptedBy, Socket client, Socket server) {
        if (listener != acceptedBy) { // disabled or moved while this connection was being set up
            closeQuietly(client);
            closeQuietly(server);
            return;
        }
        ProxyLink link = new ProxyLink("fault-proxy-" + name + "-" + (++linksOpened), client, server, toxics, timers, links::remove);
        links.add(link);
        for (Toxic toxic : toxics.all()) {
            armTimeout(toxic, List.of(link));
        }
        link.start();
    }

    /** A timeout toxic with a time closes each link that long after the toxic starts to act on it. */
    private void armTimeout(Toxic toxic, List<ProxyLink> targets) {
        long timeoutMs = toxic.attribute("timeout");
        if (toxic.kind() == ToxicKind.TIMEOUT && timeoutMs > 0) {
            targets.forEach(link -> link.closeAfter(toxic, timeoutMs, toxics));
        }
    }

    private static void closeQuietly(AutoCloseable closeable) {
        if (closeable == null) {
            return;
        }
        try {
            closeable.close();
        } catch (Exception e) {
            // Already failed or closed: nothing more to release.
        }
    }
}
