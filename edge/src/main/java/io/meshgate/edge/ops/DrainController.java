package io.meshgate.edge.ops;

import io.meshgate.edge.session.PublishService;
import io.meshgate.edge.websocket.WebSocketEndpoint;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Takes a node out of service without losing anything: readiness goes false, every WebSocket client gets
 * {@code move} (with jitter, so the rest of the region is not stampeded) and close 4100, publishes in flight get
 * their acks, and only then does the returned future complete so the caller can stop the node.
 *
 * <p>Threads: {@link #drain} may be called from any thread (an admin request, the stopping thread) and returns at
 * once; the waiting runs on a daemon thread of its own, named {@code drain}, which completes the future. Its
 * deadlines ({@code timeoutMs}, the close grace) are measured with the injected clock, so a test can pass them
 * without waiting in real time; the thread still polls every 50 ms of real time ({@code POLL_MS}).
 */
public final class DrainController {
    private static final Logger LOG = LoggerFactory.getLogger(DrainController.class);
    private static final long POLL_MS = 50;

    private final Readiness readiness;
    private final WebSocketEndpoint webSockets;
    private final PublishService publishes;
    private final String region;
    private final String node;
    private final Supplier<String> moveTarget;
    private final long timeoutMs;
    private final long closeGraceMs;
    private final Clock clock;
    private final CompletableFuture<Void> drained = new CompletableFuture<>();
    private boolean started;

    /**
     * @param moveTarget the WebSocket URL clients should move to (another node of the region), or null for none;
     *                   asked once, on the drain thread, as the drain starts
     * @param clock      what {@code timeoutMs} and {@code closeGraceMs} are measured with (the node's clock)
     */
    public DrainController(Readiness readiness, WebSocketEndpoint webSockets, PublishService publishes, String region,
                           String node, Supplier<String> moveTarget, long timeoutMs, long closeGraceMs,
                           Clock clock) {
        this.readiness = readiness;
        this.webSockets = webSockets;
        this.publishes = publishes;
        this.region = region;
        this.node = node;
        this.moveTarget = moveTarget;
        this.timeoutMs = timeoutMs;
        this.closeGraceMs = closeGraceMs;
        this.clock = clock;
    }

    /** Starts draining (once; later calls return the same future). Completes when the node may stop. */
    public synchronized CompletableFuture<Void> drain(String reason) {
        if (started) {
            return drained;
        }
        started = true;
        LOG.info("node {} draining: {}", node, reason);
        readiness.markDraining();
        Thread worker = new Thread(this::run, "drain");
        worker.setDaemon(true);
        worker.start();
        return drained;
    }

    /** Completes when a drain, started by anyone, has finished; starts nothing itself. */
    public CompletableFuture<Void> whenDrained() {
        return drained;
    }

    private void run() {
        long deadline = clock.millis() + timeoutMs;
        try {
            webSockets.moveAll(this, "drain", region, moveTarget.get());
            boolean acked = waitFor(() -> publishes.inFlight() == 0, deadline);
            // Closing handshakes run on their own; give them the close grace to finish before the sockets go.
            boolean closed = waitFor(() -> webSockets.sessionCount() == 0,
                    Math.min(deadline, clock.millis() + closeGraceMs + 1000));
            LOG.info("node {} drained: publishes in flight {}, {} WebSocket sessions left", node,
                    acked ? "all acked" : "still " + publishes.inFlight(), closed ? 0 : webSockets.sessionCount());
        } catch (RuntimeException e) {
            LOG.error("drain failed; stopping anyway", e);
        } finally {
            drained.complete(null);
        }
    }

    private boolean waitFor(BooleanSupplier condition, long deadlineMs) {
        while (!condition.getAsBoolean()) {
            if (clock.millis() >= deadlineMs) {
                return false;
            }
            try {
                Thread.sleep(POLL_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }
}
