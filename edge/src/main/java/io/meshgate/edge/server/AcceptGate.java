package io.meshgate.edge.server;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xnio.ChannelListener;
import org.xnio.IoUtils;
import org.xnio.StreamConnection;
import org.xnio.channels.AcceptingChannel;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Decides, as each socket of the edge port is accepted, whether its source address may have it. Counting at accept,
 * not at the first request, is what bounds a client that connects and sends nothing: such a socket holds a file
 * descriptor as surely as a busy one.
 *
 * <ul>
 *   <li>Under the cap ({@code limits.connectionsPerAddress}) a socket is handed to Undertow as it is.</li>
 *   <li>At or over the cap, up to {@link #overflowAllowance} more are handed over <em>marked</em>: their first
 *       request is answered 503 {@code unavailable}, or a WebSocket upgrade is closed 1013, by
 *       {@link ConnectionCapHandler}; a marked socket that sends no request is closed at the request parse
 *       timeout.</li>
 *   <li>Beyond that the socket is closed at once, without a word: a client that far over its cap is not reading our
 *       answers.</li>
 * </ul>
 *
 * <p>Closed sockets are not reported to the gate (Undertow owns the socket's close listener once it has it); each
 * address's list drops its closed sockets whenever that address connects again, and every
 * {@value #SWEEP_EVERY_ACCEPTS} accepts the whole map is swept. So the map holds at most the open sockets plus a
 * sweep's worth of closed ones.
 *
 * <p>Called on the XNIO I/O threads that accept (several may at once: the map is concurrent and each address's list
 * is changed only inside {@code compute}); {@link #isMarked} is called on a connection's I/O thread.
 */
final class AcceptGate implements ChannelListener<AcceptingChannel<StreamConnection>> {
    private static final Logger LOG = LoggerFactory.getLogger(AcceptGate.class);
    static final int SWEEP_EVERY_ACCEPTS = 1024;
    private static final int MAX_OVERFLOW_ALLOWANCE = 64;

    private final int cap;
    private final int overflowAllowance;
    private final long markedFuseMs;
    private final ChannelListener<StreamConnection> next;
    private final ConcurrentHashMap<InetAddress, List<StreamConnection>> open = new ConcurrentHashMap<>();
    private final Set<StreamConnection> marked = ConcurrentHashMap.newKeySet();
    private final AtomicInteger acceptsSinceSweep = new AtomicInteger();
    private final Counter refused;
    private final Counter dropped;

    /**
     * @param cap          sockets one source address may hold at once
     * @param markedFuseMs how long a marked (over-cap) socket may stay without a request: the request parse timeout
     * @param next         Undertow's open listener, given every socket not closed here
     */
    AcceptGate(int cap, long markedFuseMs, ChannelListener<StreamConnection> next, MeterRegistry meters) {
        this.cap = cap;
        this.overflowAllowance = overflowAllowance(cap);
        this.markedFuseMs = markedFuseMs;
        this.next = next;
        this.refused = Counter.builder("meshgate.edge.connections.refused")
                .description("connections refused because their address held the per-address maximum")
                .register(meters);
        this.dropped = Counter.builder("meshgate.edge.connections.dropped")
                .description("sockets closed at accept, unanswered, because their address was far over its"
                        + " per-address maximum")
                .register(meters);
    }

    /** Over-cap sockets that still get an answer: as many as the cap, at most {@value #MAX_OVERFLOW_ALLOWANCE}. */
    static int overflowAllowance(int cap) {
        return Math.min(cap, MAX_OVERFLOW_ALLOWANCE);
    }

    @Override
    public void handleEvent(AcceptingChannel<StreamConnection> server) {
        StreamConnection accepted;
        try {
            accepted = server.accept();
        } catch (IOException e) {
            LOG.debug("accept failed: {}", e.toString());
            return;
        }
        if (accepted == null) {
            return;
        }
        if (acceptsSinceSweep.incrementAndGet() >= SWEEP_EVERY_ACCEPTS) {
            acceptsSinceSweep.set(0);
            sweep();
        }
        InetAddress address = address(accepted);
        Admission admission = address == null ? Admission.ADMITTED : admit(address, accepted);
        switch (admission) {
            case DROPPED -> {
                dropped.increment();
                IoUtils.safeClose(accepted);
                return;
            }
            case MARKED -> {
                refused.increment();
                marked.add(accepted);
                accepted.getIoThread().executeAfter(() -> IoUtils.safeClose(accepted), markedFuseMs,
                        TimeUnit.MILLISECONDS);
            }
            case ADMITTED -> { }
        }
        next.handleEvent(accepted);
    }

    /** True when {@code connection} was accepted over its address's cap: answer its request 503 or 1013. */
    boolean isMarked(StreamConnection connection) {
        return connection != null && marked.contains(connection);
    }

    private enum Admission { ADMITTED, MARKED, DROPPED }

    private Admission admit(InetAddress address, StreamConnection accepted) {
        Admission[] decided = new Admission[1];
        open.compute(address, (a, list) -> {
            List<StreamConnection> held = list == null ? new ArrayList<>() : prune(list);
            if (held.size() >= cap + overflowAllowance) {
                decided[0] = Admission.DROPPED;
                return held.isEmpty() ? null : held;
            }
            decided[0] = held.size() >= cap ? Admission.MARKED : Admission.ADMITTED;
            held.add(accepted);
            return held;
        });
        return decided[0];
    }

    private List<StreamConnection> prune(List<StreamConnection> list) {
        list.removeIf(c -> {
            if (c.isOpen()) {
                return false;
            }
            marked.remove(c);
            return true;
        });
        return list;
    }

    private void sweep() {
        for (InetAddress address : open.keySet()) {
            open.computeIfPresent(address, (a, list) -> {
                prune(list);
                return list.isEmpty() ? null : list;
            });
        }
        marked.removeIf(c -> !c.isOpen());
    }

    private static InetAddress address(StreamConnection connection) {
        InetSocketAddress peer = connection.getPeerAddress(InetSocketAddress.class);
        return peer == null ? null : peer.getAddress();
    }
}
