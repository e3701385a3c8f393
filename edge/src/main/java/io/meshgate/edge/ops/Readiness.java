package io.meshgate.edge.ops;

import java.time.Clock;
import java.util.function.BooleanSupplier;

/**
 * Whether this node should get new traffic. Not ready while starting, while draining, while out of service, or while its region cannot
 * serve (its member is down or, in a mesh, the region reaches no quorum of regions or has not for the failback
 * hold); once not ready it stays so for at least {@code holdMs}, so a blip does not flap a load balancer.
 */
public final class Readiness {
    private final Clock clock;
    private final long holdMs;
    private final BooleanSupplier regionUp;
    private volatile boolean started;
    private volatile boolean draining;
    private volatile boolean outOfService;
    private volatile long notReadyUntilMs;
    private volatile boolean everReady;

    public Readiness(Clock clock, long holdMs, BooleanSupplier regionUp) {
        this.clock = clock;
        this.holdMs = holdMs;
        this.regionUp = regionUp;
    }

    public void markStarted() {
        started = true;
    }

    public void markDraining() {
        draining = true;
    }

    /** True once a stopping drain has begun. */
    public boolean stopping() {
        return draining;
    }

    /** An operator took the node out of service without stopping it ({@link ServiceSwitch}), or put it back. */
    public void markOutOfService(boolean out) {
        outOfService = out;
    }

    /** The reason this node is not ready, or null when it is ready. */
    public synchronized String notReadyReason() {
        long now = clock.millis();
        String reason = !started ? "starting" : draining ? "draining"
                : outOfService ? "out of service (drained by an operator)" : !regionUp.getAsBoolean() ? "region down" : null;
        if (reason != null) {
            notReadyUntilMs = now + holdMs;
            return reason;
        }
        if (now < notReadyUntilMs) {
            return "recovering";
        }
        everReady = true;
        return null;
    }

    /**
     * True once this node has answered ready to anyone (a load balancer's probe, a client's {@code /readyz}): from
     * then on, clients may be here because it served, so losing the region's quorum must move them
     * ({@link CutOffMover}), however briefly it could serve.
     */
    public boolean everReady() {
        return everReady;
    }
}
