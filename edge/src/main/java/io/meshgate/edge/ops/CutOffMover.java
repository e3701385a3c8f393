package io.meshgate.edge.ops;

import io.meshgate.edge.websocket.ClientMover;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;

/**
 * Moves this node's WebSocket clients to another region while its region is cut off from the mesh majority (it
 * cannot serve: see {@code RelayHealth#canServe}), instead of leaving them to collect {@code nack unavailable}: every
 * session gets {@code move} with reason {@code failover} and the other region's URL (with the usual jitter), and
 * clients that connect meanwhile are moved on at once. When the region can serve again, new clients stay. It moves
 * only once the region has been unable to serve for {@code afterMs} without a break: a blip of a link (a heartbeat
 * answered late on a loaded machine) must not send every client of two regions back and forth.
 *
 * <p>The target is the first other region by name: a region cut off from the majority cannot tell which of the
 * others are reachable for clients, and from three regions on the majority holds every other region.
 *
 * <p>Threads: {@link #check} runs on the node's timer only.
 */
public final class CutOffMover {
    private static final Logger LOG = LoggerFactory.getLogger(CutOffMover.class);
    private static final String REASON = "failover";

    private final BooleanSupplier canServe;
    private final BooleanSupplier servedBefore;
    private final String self;
    private final Map<String, String> regionHttpUrls;
    private final ClientMover webSockets;
    private final java.time.Clock clock;
    private final long afterMs;
    private boolean served;
    private boolean moving;
    private long notServingSinceMs = -1;

    /**
     * @param servedBefore true once the region could serve or the node answered {@code /readyz} ready, recorded
     *                     when it happened ({@code RelayHealth#everServed}, {@link Readiness#everReady}): the
     *                     region served even if this timer never saw it, since it can quit serving between two
     *                     checks (a cut-off within a heartbeat of the start)
     * @param regionHttpUrls every region's public base URL (http or https), this one's included
     */
    public CutOffMover(BooleanSupplier canServe, BooleanSupplier servedBefore, String self,
                       Map<String, String> regionHttpUrls, ClientMover webSockets, java.time.Clock clock,
                       long afterMs) {
        this.clock = clock;
        this.afterMs = afterMs;
        this.canServe = canServe;
        this.servedBefore = servedBefore;
        this.self = self;
        this.regionHttpUrls = new TreeMap<>(regionHttpUrls);
        this.webSockets = webSockets;
    }

    /** Looks once: moves everyone away when the region stopped serving, stops moving when it serves again. */
    public void check() {
        boolean serving;
        try {
            serving = canServe.getAsBoolean();
        } catch (RuntimeException e) {
            return; // the node is stopping
        }
        if (serving) {
            served = true;
            notServingSinceMs = -1;
            if (moving) {
                moving = false;
                webSockets.stopMoving(this);
                LOG.info("region {} can serve again: clients stay", self);
            }
            return;
        }
        // A node that never served is starting, not cut off: its clients wait for /readyz like any others.
        if (!served && servedBefore.getAsBoolean()) {
            served = true;
        }
        if (!served || moving) {
            return;
        }
        long now = clock.millis();
        if (notServingSinceMs < 0) {
            notServingSinceMs = now;
        }
        if (now - notServingSinceMs < afterMs) {
            return;
        }
        for (Map.Entry<String, String> region : regionHttpUrls.entrySet()) {
            if (!region.getKey().equals(self)) {
                moving = true;
                LOG.warn("region {} is cut off from the mesh majority: moving its clients to {}", self,
                        region.getKey());
                webSockets.moveAll(this, REASON, region.getKey(), wsUrl(region.getValue()));
                return;
            }
        }
    }

    /** The WebSocket URL of a region's public base URL. */
    public static String wsUrl(String httpBase) {
        String base = httpBase.endsWith("/") ? httpBase.substring(0, httpBase.length() - 1) : httpBase;
        return (base.startsWith("https://") ? "wss://" + base.substring(8) : "ws://" + base.substring(7)) + "/v1/ws";
    }
}
