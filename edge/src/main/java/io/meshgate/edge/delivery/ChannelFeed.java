package io.meshgate.edge.delivery;

import io.meshgate.relay.channel.Message;
import io.meshgate.relay.history.Range;
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

    /** A subscriber's place in the stream. */
    private static final class Follower {
        final FeedListener listener;
        /**
         * False until its attach read is in: until then its cursor is not known (a resume position, or the head for
         * a live subscriber), and nothing may be written before {@code subscribed}. Whatever the feed emits
         * meanwhile is caught up from history afterwards.
         */
        boolean attached;
        long cursor;
        boolean catchingUp;
        /** When the follower's transport last turned out to have no room, or 0 while it has room. */
        long noRoomSinceMs;

        Follower(FeedListener listener) {
            this.listener = listener;
        }
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
        Follower follower = new Follower(subscription.listener());
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
            onAttachRead(follower, fromSeq, range);
        }, executor);
    }

    private void onAttachRead(Follower follower, Long fromSeq, Range range) {
        follower.attached = true;
        if (fromSeq == null) {
            follower.cursor = range.head();
            follower.listener.onAttached(new Attachment(range.epoch(), range.head(), false));
        } else {
            long from = Math.max(fromSeq, 0);
            boolean aheadOfHead = from > range.head();
            follower.listener.onAttached(new Attachment(range.epoch(), range.head(),
                    !aheadOfHead && !range.hasGap()));
            follower.cursor = from;
            give(follower, range);
        }
        lastActivityMs = registry.clock().millis();
        probedSinceActivity = false;
        if (follower.cursor < Math.max(delivered, range.head())) {
            startCatchUp(follower);
        }
    }

    private void dropSlow(Follower f) {
        followers.values().remove(f);
        registry.slowConsumer();
        f.listener.onSlowConsumer();
        scheduleLingerIfUnused();
    }

    void detach(FeedSubscription subscription) {
        followers.remove(subscription);
        scheduleLingerIfUnused();
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
        registry.store().read(channel, delivered, registry.settings().pageSize())
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
                            giveGap(f, from, range.gapTo());
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

    private void emit(List<Message> run) {
        for (Follower f : followers.values()) {
            give(f, run);
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

    // ---- one follower ------------------------------------------------------------------------------------------

    private void give(Follower f, List<Message> run) {
        if (!f.attached || f.catchingUp || run.isEmpty()) {
            return;
        }
        int start = 0;
        while (start < run.size() && run.get(start).seq() <= f.cursor) {
            start++;
        }
        if (start == run.size()) {
            return;
        }
        if (run.get(start).seq() != f.cursor + 1) {
            startCatchUp(f);
            return;
        }
        // Live messages are paced like history: what does not fit now is read from history once there is room,
        // so a burst (a batch of up to publish.batchMax messages) never overflows a reader that keeps up.
        int end = start;
        while (end < run.size() && f.listener.hasRoom()) {
            f.listener.onMessages(List.of(run.get(end)));
            f.cursor = run.get(end).seq();
            end++;
        }
        if (end < run.size()) {
            startCatchUp(f);
        }
    }

    /**
     * Gives a history read (attach or catch-up page) to a follower, one message at a time while its transport has
     * room. A page can hold more than a whole outbound queue (200 messages of up to 64 KiB), so giving it at once
     * would close a subscriber that reads perfectly well with 4008, again on every resume; what does not fit now
     * is read again by the next catch-up page, once there is room.
     *
     * @return true when it stopped for lack of room (so the caller must keep catching up)
     */
    private boolean give(Follower f, Range range) {
        if (range.hasGap() && range.gapTo() > f.cursor) {
            giveGap(f, Math.max(range.gapFrom(), f.cursor + 1), range.gapTo());
        }
        for (Message m : range.messages()) {
            if (m.seq() <= f.cursor) {
                continue;
            }
            if (m.seq() != f.cursor + 1) {
                return false;
            }
            if (!f.listener.hasRoom()) {
                return true;
            }
            f.cursor = m.seq();
            f.listener.onMessages(List.of(m));
        }
        return false;
    }

    private void giveGap(Follower f, long from, long to) {
        if (!f.attached || to <= f.cursor) {
            return;
        }
        f.listener.onGap(Math.max(from, f.cursor + 1), to);
        f.cursor = to;
    }

    private void startCatchUp(Follower f) {
        if (f.catchingUp) {
            return;
        }
        f.catchingUp = true;
        catchUpPage(f);
    }

    private void catchUpPage(Follower f) {
        if (!followers.containsValue(f)) {
            return;
        }
        if (!f.listener.hasRoom()) {
            long now = registry.clock().millis();
            if (f.noRoomSinceMs == 0) {
                f.noRoomSinceMs = now;
            } else if (now - f.noRoomSinceMs >= registry.settings().slowConsumerMs()) {
                dropSlow(f);
                return;
            }
            registry.schedule(() -> submit(() -> catchUpPage(f)), 20);
            return;
        }
        f.noRoomSinceMs = 0;
        long from = f.cursor;
        registry.store().read(channel, from, registry.settings().pageSize()).whenCompleteAsync((range, failure) -> {
            if (!followers.containsValue(f)) {
                return;
            }
            if (failure != null) {
                registry.schedule(() -> submit(() -> catchUpPage(f)), 200);
                return;
            }
            f.catchingUp = false;
            boolean outOfRoom = give(f, range);
            boolean progressed = f.cursor > from;
            // Behind and either moving or only waiting for room: go on (catchUpPage waits for room itself). Asking
            // hasRoom() again here would race with the queue draining and could stop catch-up for good.
            if (f.cursor < Math.max(delivered, range.head()) && (progressed || outOfRoom)) {
                f.catchingUp = true;
                catchUpPage(f);
            }
        }, executor);
    }
}
