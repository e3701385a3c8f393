package io.meshgate.edge.ops;

import io.meshgate.edge.session.PublishService;
import io.meshgate.edge.websocket.WebSocketEndpoint;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Takes a node out of service without losing anything: readiness goes false, every WebSocket client gets
 * {@code move} (with jitter, so the rest of the region is not stampeded) and close 4100, publishes in flight get
 * their acks, and only then does the returned future complete so the caller can stop the node.
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
    private final CompletableFuture<Void> drained = new CompletableFuture<>();
    private boolean started;

    /**
     * @param moveTarget the WebSocket URL clients should move to (another node of the region), or null for none
     */
    public DrainController(Readiness readiness, WebSocketEndpoint webSockets, PublishService publishes, String region,
                           String node, Supplier<String> moveTarget, long timeoutMs, long closeGraceMs) {
        this.readiness = readiness;
        this.webSockets = webSockets;
        this.publishes = publishes;
        this.region = region;
        this.node = node;
        this.moveTarget = moveTarget;
        this.timeoutMs = timeoutMs;
        this.closeGraceMs = closeGraceMs;
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
        long deadline = System.currentTimeMillis() + timeoutMs;
        try {
            webSockets.moveAll("drain", region, moveTarget.get());
            boolean acked = waitFor(() -> publishes.inFlight() == 0, deadline);
            // Closing handshakes run on their own; give them the close grace to finish before the sockets go.
            boolean closed = waitFor(() -> webSockets.sessionCount() == 0,
                    Math.min(deadline, System.currentTimeMillis() + closeGraceMs + 1000));
            LOG.info("node {} drained: publishes in flight {}, {} WebSocket sessions left", node,
                    acked ? "all acked" : "still " + publishes.inFlight(), closed ? 0 : webSockets.sessionCount());
        } catch (RuntimeException e) {
            LOG.error("drain failed; stopping anyway", e);
        } finally {
            drained.complete(null);
        }
    }

    private static boolean waitFor(BooleanSupplier condition, long deadlineMs) {
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() >= deadlineMs) {
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
