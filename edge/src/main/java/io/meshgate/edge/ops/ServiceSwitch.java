package io.meshgate.edge.ops;

import io.meshgate.edge.websocket.WebSocketEndpoint;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Takes a node out of service without stopping it ({@code drain --keep-running}, {@code drain --region}) and puts it
 * back ({@code undrain}). Out of service, {@code /readyz} is false, the node is no move target for the rest of its
 * region, and every WebSocket client, those connected and those that connect meanwhile, gets {@code move} (jittered)
 * to another node of the region, or with {@link Scope#REGION} to another region. The move's reason is {@code drain},
 * or {@code failover} when the region is failed over (the {@code failover} command's drain, or
 * {@link #followFailover}): clients and their operators can tell a maintenance from an incident. Back in
 * service, new clients stay; clients already moved are not called back. Channels homed in the region stay homed
 * there: moving them is failover's job, not drain's.
 *
 * <p>Both calls are idempotent (a repeat changes nothing and says so) and every call is logged with who asked and
 * why. A node whose stopping drain ({@link DrainController}) has begun cannot be put back.
 *
 * <p>A region that operators failed over stays out of service until it is restored, whatever else happens to its
 * nodes: {@link #followFailover} takes a node of it that is in service out (a node restarted meanwhile, or one that
 * missed the {@code failover} command's drain), and {@link #undrain} is refused while it is failed over, so
 * {@code restore} is the one way back. A region drain never sends clients to a failed-over region either.
 *
 * <p>Threads: called from admin requests (Undertow I/O threads; the calls do not block) and {@link #followFailover}
 * from the node's timer; the methods are synchronized.
 */
public final class ServiceSwitch {
    private static final Logger LOG = LoggerFactory.getLogger(ServiceSwitch.class);

    /** Whether the node takes clients. */
    public enum State { SERVING, OUT_OF_SERVICE }

    /** Why the node leaves service: what its clients' {@code move} says. */
    public enum Cause {
        /** an operator's drain: {@code move} reason {@code drain} */
        DRAIN("drain"),
        /** the region is failed over: {@code move} reason {@code failover} */
        FAILOVER("failover");

        /** The {@code move} frame's {@code reason}. */
        final String reason;

        Cause(String reason) {
            this.reason = reason;
        }
    }

    /** Where the clients were sent: a region and its WebSocket URL (null: the clients' choice). */
    private record Order(String region, String url) {
    }

    /** Where a drain sends the node's clients. */
    public enum Scope {
        /** another node of this region (the region stays in service) */
        NODE,
        /** another region: the whole region is being drained */
        REGION
    }

    /** What a call did: the state now, whether the call changed it, and for a drain where clients were sent. */
    public record Outcome(State state, boolean changed, String movedTo) {
    }

    /** A call that would strand clients or undo a stop: nothing changed. */
    public static final class Refused extends RuntimeException {
        Refused(String message) {
            super(message, null, false, false);
        }
    }

    private final Readiness readiness;
    private final WebSocketEndpoint webSockets;
    private final MoveTargets moveTargets;
    private final Supplier<String> ownWsUrl;
    private final DrainController stopping;
    private final String region;
    private final String node;
    private final Map<String, String> regionHttpUrls;
    private final Predicate<String> regionHealthy;
    private final Predicate<String> failedOver;
    private State state = State.SERVING;
    /** Why the node is out of service; null while serving. */
    private Cause cause;
    /** Where the clients were sent; null while serving. */
    private Order lastOrder;
    /** {@link #followFailover} found no region to send the clients to and said so; it says it again once it can. */
    private boolean failoverStuckLogged;

    /**
     * @param regionHttpUrls every region's public base URL (this one's included); empty without a mesh
     * @param regionHealthy  whether the mesh sees a region as able to take clients
     * @param failedOver     whether operators have failed a region over (until restored); never true without a mesh
     */
    public ServiceSwitch(Readiness readiness, WebSocketEndpoint webSockets, MoveTargets moveTargets,
                         Supplier<String> ownWsUrl, DrainController stopping, String region, String node,
                         Map<String, String> regionHttpUrls, Predicate<String> regionHealthy,
                         Predicate<String> failedOver) {
        this.failedOver = failedOver;
        this.readiness = readiness;
        this.webSockets = webSockets;
        this.moveTargets = moveTargets;
        this.ownWsUrl = ownWsUrl;
        this.stopping = stopping;
        this.region = region;
        this.node = node;
        this.regionHttpUrls = new TreeMap<>(regionHttpUrls);
        this.regionHealthy = regionHealthy;
    }

    /** Takes the node out of service for {@link Cause#DRAIN}; {@code who} and {@code why} go to the log. */
    public synchronized Outcome drain(Scope scope, String who, String why) {
        return drain(scope, Cause.DRAIN, who, why);
    }

    /**
     * Takes the node out of service; {@code who} and {@code why} go to the log. A node whose region is failed over
     * moves its clients with reason {@code failover} whatever {@code cause} says: the call that drains it may come
     * from an operator who did not know. A node already out of service for a drain that is now drained for a
     * failover changes nothing but the reason late comers are moved with.
     */
    public synchronized Outcome drain(Scope scope, Cause cause, String who, String why) {
        Cause effective = cause == Cause.FAILOVER || failedOver.test(region) ? Cause.FAILOVER : Cause.DRAIN;
        if (state == State.OUT_OF_SERVICE) {
            if (effective == Cause.FAILOVER && this.cause == Cause.DRAIN && lastOrder != null) {
                this.cause = Cause.FAILOVER;
                webSockets.moveAll(this, Cause.FAILOVER.reason, lastOrder.region(), lastOrder.url());
            }
            LOG.info("node {}/{} {} (kept running, {}) by {} changed nothing, already out of service: {}", region,
                    node, effective == Cause.FAILOVER ? "failover drain" : "drain",
                    scope.name().toLowerCase(Locale.ROOT), who, why);
            return new Outcome(state, false, null);
        }
        String targetRegion = region;
        String targetUrl;
        if (scope == Scope.REGION) {
            Map.Entry<String, String> other = otherRegion().orElseThrow(() -> refused(who, why, "region " + region
                    + " cannot be drained: no other region is configured, healthy and not failed over to take its"
                    + " clients"));
            targetRegion = other.getKey();
            targetUrl = CutOffMover.wsUrl(other.getValue());
        } else {
            targetUrl = moveTargets.pick();
        }
        state = State.OUT_OF_SERVICE;
        this.cause = effective;
        lastOrder = new Order(targetRegion, targetUrl);
        readiness.markOutOfService(true);
        moveTargets.withdraw();
        webSockets.moveAll(this, effective.reason, targetRegion, targetUrl);
        String movedTo = targetUrl == null ? "the clients' own choice of region" : targetRegion + " " + targetUrl;
        LOG.info("node {}/{} out of service (kept running, {} {}) by {}: {}; clients move to {}", region, node,
                scope.name().toLowerCase(Locale.ROOT), effective.reason, who, why,
                movedTo);
        return new Outcome(state, true, movedTo);
    }

    /** Puts the node back in service; refused once a stopping drain has begun. */
    public synchronized Outcome undrain(String who, String why) {
        if (stopping.whenDrained().isDone() || readiness.stopping()) {
            throw refused(who, why, "node " + node + " is stopping (drained for good); start it again instead");
        }
        if (state == State.SERVING) {
            LOG.info("node {}/{} undrain by {} changed nothing, already in service: {}", region, node, who, why);
            return new Outcome(state, false, null);
        }
        if (failedOver.test(region)) {
            throw refused(who, why, "region " + region + " is failed over: 'restore --region " + region
                    + "' puts it back in service");
        }
        state = State.SERVING;
        cause = null;
        lastOrder = null;
        webSockets.stopMoving(this);
        moveTargets.announce(ownWsUrl.get());
        readiness.markOutOfService(false);
        LOG.info("node {}/{} back in service by {}: {}", region, node, who, why);
        return new Outcome(state, true, null);
    }

    /**
     * Timer: a node in service whose region is failed over goes out of service as {@code drain --region} would take
     * it (its clients move to another region). Nothing when it is out of service already, stopping, or its region is
     * not failed over; when no region can take its clients it stays and says so once.
     */
    public synchronized void followFailover() {
        if (state != State.SERVING || readiness.stopping() || !failedOver.test(region)) {
            failoverStuckLogged = false;
            return;
        }
        if (otherRegion().isEmpty()) {
            if (!failoverStuckLogged) {
                failoverStuckLogged = true;
                LOG.warn("node {}/{}: region {} is failed over but no other region is healthy to take its clients;"
                        + " it stays in service", region, node, region);
            }
            return;
        }
        drain(Scope.REGION, Cause.FAILOVER, "the mesh's home overrides", "region " + region + " is failed over");
    }

    /** The first other region by name that is healthy and not failed over, with its public URL. */
    private java.util.Optional<Map.Entry<String, String>> otherRegion() {
        return regionHttpUrls.entrySet().stream()
                .filter(e -> !e.getKey().equals(region) && regionHealthy.test(e.getKey())
                        && !failedOver.test(e.getKey()))
                .findFirst();
    }

    private Refused refused(String who, String why, String message) {
        LOG.warn("node {}/{} refused a call by {} ({}): {}", region, node, who, why, message);
        return new Refused(message);
    }

    public synchronized State state() {
        return state;
    }
}
