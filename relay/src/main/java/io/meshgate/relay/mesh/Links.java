package io.meshgate.relay.mesh;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.meshgate.proto.relay.LinkFrame;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongFunction;

/**
 * The leader's links, one per peer region, and how a frame reaches a region: over the direct link while it is up,
 * else through the live peer with the lowest RTT sum to the target (from the RTT tables peers send in heartbeats).
 * Requests are matched to replies by id, time out, and pass a circuit breaker per region, so a dead region fails
 * callers at once instead of holding each for the timeout.
 */
final class Links {
    private static final Logger LOG = LoggerFactory.getLogger(Links.class);

    private final MeshSettings settings;
    private final ScheduledExecutorService timer;
    private final ConcurrentHashMap<String, MeshLink> byRegion = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Map<String, Long>> peerTables = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Long, Pending> pending = new ConcurrentHashMap<>();
    private final Map<String, CircuitBreaker> breakers = new HashMap<>();
    private final AtomicLong ids = new AtomicLong();
    private final Counter refused;
    private final Counter relayed;
    private final Map<String, Timer> replicationLag = new HashMap<>();
    private final io.meshgate.relay.history.SlowCallLog slowRequests =
            new io.meshgate.relay.history.SlowCallLog(LOG, "mesh request (sent on a link until answered)");

    /** A request waiting for its reply; {@code via} is the link it left on (its reply cannot come once that ends). */
    private record Pending(String region, long startNanos, CompletableFuture<LinkFrame> reply, MeshLink via) {
    }

    Links(MeshSettings settings, ScheduledExecutorService timer, MeterRegistry meters) {
        this.settings = settings;
        this.timer = timer;
        CircuitBreakerConfig config = CircuitBreakerConfig.custom()
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(20)
                .minimumNumberOfCalls(10)
                .failureRateThreshold(50)
                .waitDurationInOpenState(Duration.ofSeconds(2))
                .permittedNumberOfCallsInHalfOpenState(3)
                .build();
        for (String peer : settings.peers().keySet()) {
            breakers.put(peer, CircuitBreaker.of("mesh-" + settings.region() + "-" + peer, config));
        }
        this.refused = meters.counter("meshgate.mesh.frames.refused");
        this.relayed = meters.counter("meshgate.mesh.frames.relayed");
        for (String peer : settings.peers().keySet()) {
            replicationLag.put(peer, Timer.builder("meshgate.mesh.replication.lag").tag("peer", peer)
                    .publishPercentiles(0.5, 0.99).register(meters));
        }
    }

    /** A new stream to the region replaces any older one (a peer that redialed after a failure). */
    void register(MeshLink link) {
        MeshLink old = byRegion.put(link.peerRegion(), link);
        if (old != null && old != link) {
            old.close();
        }
    }

    /**
     * The region left the liveness view (no path reaches it): requests waiting for its answer fail now rather than
     * after the request timeout, so publishes queued behind them (see {@link PublishLanes}) go to the new home at
     * once. Safe: a publish that still reaches the old home later cannot become durable there any more (the new home
     * fenced the other regions), and its sender, told it failed, retries it by id.
     */
    void failPendingTo(String region) {
        pending.forEach((id, p) -> {
            if (p.region().equals(region) && pending.remove(id, p)) {
                p.reply().completeExceptionally(new MeshUnavailableException("region " + region + " is down"));
            }
        });
    }

    /**
     * The link ended: requests that left on it fail now (a leaving region's stores must not hold acks for the
     * request timeout); their callers retry elsewhere or nack.
     */
    void unregister(MeshLink link) {
        byRegion.remove(link.peerRegion(), link);
        peerTables.remove(link.peerRegion());
        pending.forEach((id, p) -> {
            if (p.via() == link && pending.remove(id, p)) {
                p.reply().completeExceptionally(new MeshUnavailableException("the link to region "
                        + link.peerRegion() + " ended before region " + p.region() + " answered"));
            }
        });
    }

    MeshLink direct(String region) {
        MeshLink link = byRegion.get(region);
        return link == null || link.isClosed() ? null : link;
    }

    Iterable<MeshLink> all() {
        return byRegion.values();
    }

    void peerTable(String region, Map<String, Long> rttMicros) {
        peerTables.put(region, Map.copyOf(rttMicros));
    }

    /** True when a frame for the region has a live path now. */
    boolean reachable(String region) {
        return route(region) != null;
    }

    /** The link to write a frame for {@code region} on: the direct one while up, else the best live relay. */
    MeshLink route(String region) {
        MeshLink direct = direct(region);
        if (direct != null && direct.health().isUp()) {
            return direct;
        }
        MeshLink best = null;
        long bestCost = Long.MAX_VALUE;
        for (MeshLink via : byRegion.values()) {
            if (via.isClosed() || !via.health().isUp() || via.peerRegion().equals(region)) {
                continue;
            }
            Long onward = peerTables.getOrDefault(via.peerRegion(), Map.of()).get(region);
            long first = via.health().rttMicros();
            if (onward == null || onward < 0 || first < 0) {
                continue;
            }
            long cost = first + onward;
            if (cost < bestCost) {
                bestCost = cost;
                best = via;
            }
        }
        return best;
    }

    /** Sends a frame towards a region. False when there is no path or the link's queue is full (counted). */
    boolean send(String region, LinkFrame frame) {
        return sendVia(region, frame) != null;
    }

    /** Like {@link #send}; returns the link the frame was queued on, or null. */
    private MeshLink sendVia(String region, LinkFrame frame) {
        MeshLink link = route(region);
        if (link == null) {
            return null;
        }
        LinkFrame addressed = frame.toBuilder().setOrigin(frame.getOrigin().isEmpty() ? settings.region()
                : frame.getOrigin()).setTarget(region).build();
        if (!link.offer(addressed)) {
            refused.increment();
            return null;
        }
        return link;
    }

    /**
     * Passes on a frame for another region; false (and the frame is not sent) past two hops or when there is no
     * onward path.
     */
    boolean relay(LinkFrame frame, String cameFrom) {
        if (frame.getHops() >= 2) {
            return false;
        }
        MeshLink link = route(frame.getTarget());
        if (link == null || link.peerRegion().equals(cameFrom)) {
            return false;
        }
        if (link.offer(frame.toBuilder().setHops(frame.getHops() + 1).build())) {
            relayed.increment();
            return true;
        }
        refused.increment();
        return false;
    }

    /**
     * Sends a request built around a fresh id and completes with the reply frame, or fails with
     * {@link MeshUnavailableException} (no path, refused, breaker open, or no reply within the request timeout).
     */
    /**
     * Asks a region for a channel's messages after {@code after} (at most {@code max}, undurable ones included) as
     * it holds them itself; fails when the region answers with an error.
     */
    CompletableFuture<io.meshgate.proto.relay.RangeReply> range(String region, String channel, long after, int max) {
        return range(region, channel, after, max, true);
    }

    /**
     * Like {@link #range(String, String, long, int)}; without {@code undurable} only messages the region counts
     * durable: what to take from a region that is not the home (an older home's undurable tail may differ from the
     * log the current home adopted).
     */
    CompletableFuture<io.meshgate.proto.relay.RangeReply> range(String region, String channel, long after, int max,
                                                                boolean undurable) {
        return request(region, id -> LinkFrame.newBuilder().setRangeRequest(io.meshgate.proto.relay.RangeRequest
                        .newBuilder().setChannel(channel).setAfterSeq(after).setMaxMessages(max)
                        .setIncludeUndurable(undurable).setRequestId(id)).build())
                .thenApply(frame -> {
                    io.meshgate.proto.relay.RangeReply reply = frame.getRangeReply();
                    if (!reply.getError().isEmpty()) {
                        throw new MeshUnavailableException("region " + region + ": " + reply.getError());
                    }
                    return reply;
                });
    }

    CompletableFuture<LinkFrame> request(String region, LongFunction<LinkFrame> build) {
        CircuitBreaker breaker = breakers.get(region);
        if (breaker == null) {
            return CompletableFuture.failedFuture(new MeshUnavailableException("unknown region " + region));
        }
        if (!breaker.tryAcquirePermission()) {
            return CompletableFuture.failedFuture(new MeshUnavailableException(
                    "region " + region + " is failing (circuit open)"));
        }
        long id = ids.incrementAndGet();
        CompletableFuture<LinkFrame> reply = new CompletableFuture<>();
        MeshLink route = route(region);
        if (route == null) {
            breaker.onError(0, TimeUnit.NANOSECONDS, new MeshUnavailableException("no path"));
            return CompletableFuture.failedFuture(new MeshUnavailableException("no live path to region " + region));
        }
        Pending p = new Pending(region, System.nanoTime(), reply, route);
        pending.put(id, p);
        MeshLink used = sendVia(region, build.apply(id));
        if (used != route) {
            pending.remove(id);
            if (used != null) {
                // The route changed between the two looks; the frame is out, so wait for its answer after all.
                Pending moved = new Pending(region, p.startNanos(), reply, used);
                pending.put(id, moved);
                scheduleTimeout(id, region, breaker);
                return reply;
            }
            breaker.onError(0, TimeUnit.NANOSECONDS, new MeshUnavailableException("no path"));
            return CompletableFuture.failedFuture(new MeshUnavailableException(
                    "no live path to region " + region + " (or its link queue is full)"));
        }
        scheduleTimeout(id, region, breaker);
        return p.reply();
    }

    private void scheduleTimeout(long id, String region, CircuitBreaker breaker) {
        timer.schedule(() -> {
            Pending timedOut = pending.remove(id);
            if (timedOut != null) {
                MeshUnavailableException e = new MeshUnavailableException("region " + region
                        + " did not answer within " + settings.requestTimeoutMs() + " ms");
                breaker.onError(System.nanoTime() - timedOut.startNanos(), TimeUnit.NANOSECONDS, e);
                timedOut.reply().completeExceptionally(e);
            }
        }, settings.requestTimeoutMs(), TimeUnit.MILLISECONDS);
    }

    /** A reply arrived; false when nobody waits for it any more (timed out). */
    boolean complete(long requestId, LinkFrame reply) {
        Pending p = pending.remove(requestId);
        if (p == null) {
            return false;
        }
        long tookNanos = System.nanoTime() - p.startNanos();
        breakers.get(p.region()).onSuccess(tookNanos, TimeUnit.NANOSECONDS);
        if (reply.hasStored()) {
            replicationLag.get(p.region()).record(tookNanos, TimeUnit.NANOSECONDS);
        }
        slowRequests.done(p.startNanos(), reply.hasPublishOutcome() ? reply.getPublishOutcome().getChannel() : "-",
                () -> reply.getKindCase() + " from region " + p.region() + " via " + p.via().peerRegion());
        p.reply().complete(reply);
        return true;
    }

    /** This region's RTT row: microseconds to each peer with a live link, -1 for the others. */
    Map<String, Long> ownRow() {
        Map<String, Long> row = new TreeMap<>();
        for (String peer : settings.peers().keySet()) {
            MeshLink link = direct(peer);
            row.put(peer, link != null && link.health().isUp() ? link.health().rttMicros() : -1L);
        }
        return row;
    }

    /** The whole RTT matrix as known here: this region's row and every live peer's row. */
    Map<String, Map<String, Long>> matrix() {
        Map<String, Map<String, Long>> m = new TreeMap<>();
        m.put(settings.region(), ownRow());
        peerTables.forEach((region, row) -> m.put(region, new TreeMap<>(row)));
        return m;
    }

    CircuitBreaker.State breakerState(String region) {
        CircuitBreaker breaker = breakers.get(region);
        return breaker == null ? CircuitBreaker.State.DISABLED : breaker.getState();
    }

    void closeAll() {
        byRegion.values().forEach(MeshLink::close);
        byRegion.clear();
        pending.values().forEach(p -> p.reply().completeExceptionally(
                new MeshUnavailableException("the mesh leader is stopping")));
        pending.clear();
        LOG.debug("closed every mesh link of {}", settings.region());
    }
}
