package io.meshgate.edge.delivery;

import io.meshgate.edge.protocol.EncodedMessage;
import io.meshgate.relay.channel.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * One channel's live stream on this node. Thread: every field is owned by {@link #executor}; methods without a
 * {@code submit} wrapper must run on it.
 *
 * <p>The route (this node's entry in the channel's route set) is added atomically with a head read: from then on
 * every message with a larger seq is fanned out here. {@link #delivered} is the last seq given to followers, and
 * only grows; messages that arrive early wait in {@link #pending}, and a hole is filled from history rather than
 * waited for, because the node that should have sent it may be dead.
 */
final class ChannelFeed {
    private static final Logger LOG = LoggerFactory.getLogger(ChannelFeed.class);

    enum RouteState { NONE, ADDING, ACTIVE, REMOVING }

    final String channel;
    final SerialExecutor executor;
    private final FeedRegistry registry;

    private RouteState route = RouteState.NONE;
    private long delivered;
    private final TreeMap<Long, Message> pending = new TreeMap<>();
    private boolean fillInFlight;
    private final List<RouteWaiter> afterRoute = new ArrayList<>();
    private final Map<FeedSubscription, Follower> followers = new LinkedHashMap<>();
    private final List<FeedWaiter> waiters = new ArrayList<>();
    private long lastActivityMs;
    /** Whether the quiet period since {@link #lastActivityMs} has been probed already. */
    private boolean probedSinceActivity;
    private boolean lingerScheduled;

    /** Guarded by {@code this}: tasks submitted but not finished, and whether the registry dropped this feed. */
    private int queuedTasks;
    private boolean retired;

    private record RouteWaiter(Runnable onActive, Consumer<Throwable> onFailure) {
    }

    ChannelFeed(String channel, FeedRegistry registry) {
        this.channel = channel;
        this.registry = registry;
        this.executor = new SerialExecutor(registry.pool());
    }

    /** Runs a task on this feed. False when the feed was retired; the caller then gets a fresh feed. */
    boolean submit(Runnable task) {
        synchronized (this) {
            if (retired) {
                return false;
            }
            queuedTasks++;
        }
        executor.execute(() -> {
            try {
                task.run();
            } finally {
                synchronized (this) {
                    queuedTasks--;
                }
                retireIfIdle();
            }
        });
        return true;
    }

    // ---- subscribers -------------------------------------------------------------------------------------------

    void attach(FeedSubscription subscription, Long fromSeq) {
        Follower follower = new Follower(this, subscription.listener());
        followers.put(subscription, follower);
        whenRouteActive(() -> readForAttach(subscription, follower, fromSeq), failure -> {
            if (followers.remove(subscription) != null) {
                follower.listener.onFailure(failure);
            }
        });
    }

    private void readForAttach(FeedSubscription subscription, Follower follower, Long fromSeq) {
        long after = fromSeq == null ? 0 : fromSeq;
        int max = fromSeq == null ? 0 : registry.settings().pageSize();
        registry.store().read(channel, after, max).whenCompleteAsync((range, failure) -> {
            if (followers.get(subscription) != follower) {
                return;
            }
            if (failure != null) {
                followers.remove(subscription);
                follower.listener.onFailure(failure);
                return;
            }
            lastActivityMs = registry.clock().millis();
            probedSinceActivity = false;
            follower.onAttachRead(fromSeq, range);
        }, executor);
    }

    /** The follower's transport had no room for the slow-consumer time: it is dropped and told so. */
    void dropSlow(Follower f) {
        followers.values().remove(f);
        registry.slowConsumer();
        f.listener.onSlowConsumer();
        scheduleLingerIfUnused();
    }

    void detach(FeedSubscription subscription) {
        followers.remove(subscription);
        scheduleLingerIfUnused();
    }

    /**
     * Any thread: the channel's subscribers at this node (WebSocket followers and parked long-polls), counted on the
     * feed's own thread; 0 when the feed is retired.
     */
    java.util.concurrent.CompletableFuture<Integer> subscribers() {
        java.util.concurrent.CompletableFuture<Integer> count = new java.util.concurrent.CompletableFuture<>();
        if (!submit(() -> count.complete(followers.size() + waiters.size()))) {
            count.complete(0);
        }
        return count;
    }

    // ---- long-poll waiters -------------------------------------------------------------------------------------

    void addWaiter(FeedWaiter waiter) {
        whenRouteActive(() -> {
            if (waiter.isDone()) {
                return;
            }
            waiter.ready();
            if (delivered > waiter.afterSeq()) {
                waiter.arrived();
            } else {
                waiters.add(waiter);
            }
        }, waiter::failed);
    }

    void removeWaiter(FeedWaiter waiter) {
        waiters.remove(waiter);
        scheduleLingerIfUnused();
    }

    // ---- the route ---------------------------------------------------------------------------------------------

    private void whenRouteActive(Runnable onActive, Consumer<Throwable> onFailure) {
        switch (route) {
            case ACTIVE -> onActive.run();
            case ADDING, REMOVING -> afterRoute.add(new RouteWaiter(onActive, onFailure));
            case NONE -> {
                afterRoute.add(new RouteWaiter(onActive, onFailure));
                addRoute();
            }
        }
    }

    private void addRoute() {
        route = RouteState.ADDING;
        registry.store().subscribe(channel, registry.self(), 0, 0).whenCompleteAsync((range, failure) -> {
            if (failure != null) {
                LOG.warn("could not add route for {}: {}", channel, failure.toString());
                route = RouteState.NONE;
                pending.clear();
                List<RouteWaiter> failed = new ArrayList<>(afterRoute);
                afterRoute.clear();
                failed.forEach(w -> w.onFailure().accept(failure));
                return;
            }
            route = RouteState.ACTIVE;
            delivered = range.head();
            pending.headMap(delivered, true).clear();
            List<RouteWaiter> ready = new ArrayList<>(afterRoute);
            afterRoute.clear();
            ready.forEach(w -> w.onActive().run());
            drain();
            scheduleLingerIfUnused();
        }, executor);
    }

    private void scheduleLingerIfUnused() {
        if (route != RouteState.ACTIVE || lingerScheduled || !followers.isEmpty() || !waiters.isEmpty()) {
            return;
        }
        lingerScheduled = true;
        registry.schedule(() -> submit(this::lingerExpired), registry.settings().routeLingerMs());
    }

    private void lingerExpired() {
        lingerScheduled = false;
        if (route != RouteState.ACTIVE || !followers.isEmpty() || !waiters.isEmpty()) {
            return;
        }
        route = RouteState.REMOVING;
        registry.store().unsubscribe(channel, registry.self()).whenCompleteAsync((range, failure) -> {
            if (failure != null) {
                LOG.warn("could not remove route for {}: {}", channel, failure.toString());
            }
            route = RouteState.NONE;
            pending.clear();
            if (!afterRoute.isEmpty()) {
                addRoute();
            }
        }, executor);
    }

    /** Called after every task: a feed with nothing left to do leaves the registry, so memory follows use. */
    private void retireIfIdle() {
        // Runs on the executor after a task; reading feed state here is safe.
        if (route != RouteState.NONE || fillInFlight || !followers.isEmpty() || !waiters.isEmpty()
                || !afterRoute.isEmpty()) {
            return;
        }
        synchronized (this) {
            if (queuedTasks == 0 && !retired) {
                retired = true;
                registry.forget(this);
            }
        }
    }

    // ---- incoming messages -------------------------------------------------------------------------------------

    void onDelivery(List<Message> messages) {
        if (route != RouteState.ACTIVE && route != RouteState.ADDING) {
            return;
        }
        for (Message m : messages) {
            if (route == RouteState.ACTIVE && m.seq() <= delivered) {
                continue;
            }
            if (pending.size() >= registry.settings().maxPending()) {
                // Holding more would be unbounded; history has them all, so drop and re-read.
                pending.clear();
                registry.pendingOverflow();
                break;
            }
            pending.put(m.seq(), m);
        }
        lastActivityMs = registry.clock().millis();
        probedSinceActivity = false;
        if (route == RouteState.ACTIVE) {
            drain();
        }
    }

    /** Gives every contiguous pending message to followers; asks history for the rest when there is a hole. */
    private void drain() {
        List<Message> run = new ArrayList<>();
        Iterator<Map.Entry<Long, Message>> it = pending.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<Long, Message> next = it.next();
            if (next.getKey() <= delivered) {
                it.remove();
            } else if (next.getKey() == delivered + 1) {
                run.add(next.getValue());
                delivered = next.getKey();
                it.remove();
            } else {
                break;
            }
        }
        if (!run.isEmpty()) {
            emit(run);
        }
        if (!pending.isEmpty()) {
            fill();
        }
    }

    /** Reads history after {@link #delivered}: fills a hole, or catches a message whose fan-out was lost. */
    void fill() {
        if (fillInFlight || route != RouteState.ACTIVE) {
            return;
        }
        fillInFlight = true;
        registry.store().readNear(channel, delivered, registry.settings().pageSize())
                .whenCompleteAsync((range, failure) -> {
                    fillInFlight = false;
                    if (failure != null || route != RouteState.ACTIVE) {
                        if (failure != null) {
                            LOG.debug("history fill of {} failed: {}", channel, failure.toString());
                            registry.schedule(() -> submit(this::fill), 200);
                        }
                        return;
                    }
                    if (range.hasGap() && range.gapTo() > delivered) {
                        long from = Math.max(range.gapFrom(), delivered + 1);
                        delivered = range.gapTo();
                        for (Follower f : followers.values()) {
                            f.giveGap(from, range.gapTo());
                        }
                    }
                    List<Message> run = new ArrayList<>();
                    for (Message m : range.messages()) {
                        if (m.seq() == delivered + 1) {
                            run.add(m);
                            delivered = m.seq();
                        }
                    }
                    if (!run.isEmpty()) {
                        emit(run);
                    }
                    boolean more = delivered < range.head();
                    drain();
                    if (more) {
                        fill();
                    }
                }, executor);
    }

    /**
     * Safety net against a lost fan-out. A hole in a busy channel shows itself when the next message arrives, so only
     * a channel that has just gone quiet can hide one (its last message): such a feed checks the head once, a probe
     * interval after its last activity. {@code force} (a region member left) checks every feed at once.
     */
    void probe(long now, boolean force) {
        if (route != RouteState.ACTIVE || (followers.isEmpty() && waiters.isEmpty())) {
            return;
        }
        boolean quietSinceLastProbe = now - lastActivityMs >= registry.settings().probeIntervalMs();
        if (force || (quietSinceLastProbe && !probedSinceActivity)) {
            probedSinceActivity = true;
            fill();
        }
    }

    private void emit(List<Message> messages) {
        // Encoded once here, for every follower: each queues a view of the same frame.
        List<EncodedMessage> run = registry.frames().of(messages);
        for (Follower f : followers.values()) {
            f.giveLive(run);
        }
        if (!waiters.isEmpty()) {
            long last = run.get(run.size() - 1).seq();
            Iterator<FeedWaiter> it = waiters.iterator();
            while (it.hasNext()) {
                FeedWaiter w = it.next();
                if (w.afterSeq() < last) {
                    it.remove();
                    w.arrived();
                }
            }
        }
        registry.delivered(run.size());
    }

    // ---- what followers need ----------------------------------------------------------------------------------

    long delivered() {
        return delivered;
    }

    boolean isFollowedBy(Follower follower) {
        return followers.containsValue(follower);
    }

    FeedRegistry registry() {
        return registry;
    }
}
