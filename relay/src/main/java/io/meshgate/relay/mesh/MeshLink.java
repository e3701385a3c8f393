package io.meshgate.relay.mesh;

import io.grpc.stub.CallStreamObserver;
import io.meshgate.proto.relay.LinkFrame;

import java.util.ArrayDeque;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * One live link stream to a peer region, whichever side dialed. Outbound frames wait in a bounded queue and are
 * written only while gRPC's flow control says the peer keeps up ({@code isReady}); a full queue refuses a frame
 * rather than growing, and the caller decides what that means (see {@link Links#send}). An emulated one-way delay,
 * when configured, holds every frame for the same time, so order is kept; injected {@link Faults} add to that
 * delay or drop the frame as if the network lost it.
 */
final class MeshLink {
    private final String peerRegion;
    private final String peerNode;
    private final CallStreamObserver<LinkFrame> out;
    private final ScheduledExecutorService timer;
    private final int maxQueued;
    private final long delayNanos;
    private final ArrayDeque<Queued> queue = new ArrayDeque<>();
    private final LinkHealth health;
    private final Faults faults;
    private boolean closed;
    private boolean drainScheduled;

    private record Queued(LinkFrame frame, long dueNanos) {
    }

    MeshLink(String peerRegion, String peerNode, CallStreamObserver<LinkFrame> out, ScheduledExecutorService timer,
             int maxQueued, long delayNanos, LinkHealth health, Faults faults) {
        this.peerRegion = peerRegion;
        this.peerNode = peerNode;
        this.out = out;
        this.timer = timer;
        this.maxQueued = maxQueued;
        this.delayNanos = delayNanos;
        this.health = health;
        this.faults = faults;
    }

    String peerRegion() {
        return peerRegion;
    }

    String peerNode() {
        return peerNode;
    }

    LinkHealth health() {
        return health;
    }

    /** Queues a frame; false when the link is closed or its queue is full (a frame a fault drops counts as sent). */
    boolean offer(LinkFrame frame) {
        long injected = faults.onSend(peerRegion);
        synchronized (this) {
            if (closed || queue.size() >= maxQueued) {
                return false;
            }
            if (injected == Faults.DROP) {
                return true;
            }
            queue.addLast(new Queued(frame, System.nanoTime() + delayNanos + injected));
        }
        drain();
        return true;
    }

    synchronized int queued() {
        return queue.size();
    }

    /** Writes every due frame while the transport is ready; called on offer, on ready and when a delay ends. */
    void drain() {
        synchronized (this) {
            while (!closed && !queue.isEmpty() && out.isReady()) {
                Queued next = queue.peekFirst();
                long wait = next.dueNanos() - System.nanoTime();
                if (wait > 0) {
                    if (!drainScheduled) {
                        drainScheduled = true;
                        timer.schedule(this::delayedDrain, wait, TimeUnit.NANOSECONDS);
                    }
                    return;
                }
                queue.removeFirst();
                try {
                    out.onNext(next.frame());
                } catch (RuntimeException e) {
                    // The call is already cancelled: the stream's own error callback closes the link.
                    closed = true;
                    queue.clear();
                }
            }
        }
    }

    private void delayedDrain() {
        synchronized (this) {
            drainScheduled = false;
        }
        drain();
    }

    /** Ends the stream from this side; queued frames are dropped (receivers re-sync on the next link). */
    void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            queue.clear();
        }
        try {
            out.onCompleted();
        } catch (RuntimeException ignored) {
            // Already cancelled by the peer or transport.
        }
    }

    /**
     * Ends the stream from this side with {@code last} as its final frame (a leader's goodbye); queued frames are
     * dropped as in {@link #close()}.
     */
    void closeWith(LinkFrame last) {
        synchronized (this) {
            if (closed) {
                return;
            }
            queue.clear();
            try {
                out.onNext(last);
            } catch (RuntimeException ignored) {
                // Already cancelled: the peer finds out from the transport instead.
            }
        }
        close();
    }

    /** The stream ended from the other side or the transport: nothing more is written. */
    synchronized void markClosed() {
        closed = true;
        queue.clear();
    }

    synchronized boolean isClosed() {
        return closed;
    }
}
