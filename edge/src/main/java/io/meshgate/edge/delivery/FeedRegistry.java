package io.meshgate.edge.delivery;

import io.meshgate.relay.channel.Message;
import io.meshgate.relay.fanout.LocalDelivery;
import io.meshgate.relay.history.ChannelSource;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

import java.time.Clock;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * This node's feeds, one per channel with local subscribers or waiters. Receives fan-out ({@link LocalDelivery})
 * and routes it to the channel's feed; channels without a feed here are dropped, since nobody listens.
 */
public final class FeedRegistry implements LocalDelivery, AutoCloseable {
    /**
     * How many bytes of recently encoded frames are kept for reuse by catch-up and long-poll (see
     * {@link MessageFrames}): a few seconds of a busy node's traffic, a small share of the heap.
     */
    static final long FRAME_CACHE_BYTES = 16L << 20;

    private final ChannelSource store;
    private final UUID self;
    private final Executor pool;
    private final ScheduledExecutorService timer;
    private final FeedSettings settings;
    private final Clock clock;
    private final ConcurrentHashMap<String, ChannelFeed> feeds = new ConcurrentHashMap<>();
    private final Counter deliveredMessages;
    private final Counter pendingOverflows;
    private final Counter slowConsumers;
    private final MessageFrames frames;

    public FeedRegistry(ChannelSource store, UUID self, Executor pool, ScheduledExecutorService timer,
                        FeedSettings settings, Clock clock, MeterRegistry meters) {
        this.store = store;
        this.self = self;
        this.pool = pool;
        this.timer = timer;
        this.settings = settings;
        this.clock = clock;
        this.deliveredMessages = meters.counter("meshgate.feed.messages");
        this.pendingOverflows = meters.counter("meshgate.feed.pending.overflow");
        this.slowConsumers = meters.counter("meshgate.feed.slow_consumers");
        this.frames = new MessageFrames(FRAME_CACHE_BYTES, meters);
        meters.gauge("meshgate.feed.channels", feeds, ConcurrentHashMap::size);
        timer.scheduleWithFixedDelay(() -> probeAll(false), settings.probeIntervalMs(), settings.probeIntervalMs(),
                TimeUnit.MILLISECONDS);
    }

    /** Subscribes a listener: live only when {@code fromSeq} is null, else resuming after that seq. */
    public FeedSubscription subscribe(String channel, Long fromSeq, FeedListener listener) {
        FeedSubscription subscription = new FeedSubscription(this, channel, listener);
        run(channel, feed -> feed.attach(subscription, fromSeq));
        return subscription;
    }

    /** Registers a long-poll waiter; see {@link FeedWaiter}. */
    public void await(FeedWaiter waiter) {
        waiter.attachTo(this);
        run(waiter.channel(), feed -> feed.addWaiter(waiter));
    }

    @Override
    public void deliver(String channel, List<Message> messages) {
        ChannelFeed feed = feeds.get(channel);
        if (feed != null) {
            feed.submit(() -> feed.onDelivery(messages));
        }
    }

    /** A member left the region: messages it sequenced may never have been fanned out, so look at every head. */
    public void onRegionMemberLeft() {
        probeAll(true);
    }

    private void probeAll(boolean force) {
        long now = clock.millis();
        feeds.values().forEach(feed -> feed.submit(() -> feed.probe(now, force)));
    }

    void detach(FeedSubscription subscription) {
        ChannelFeed feed = feeds.get(subscription.channel());
        if (feed != null) {
            feed.submit(() -> feed.detach(subscription));
        }
    }

    void removeWaiter(FeedWaiter waiter) {
        ChannelFeed feed = feeds.get(waiter.channel());
        if (feed != null) {
            feed.submit(() -> feed.removeWaiter(waiter));
        }
    }

    private void run(String channel, Consumer<ChannelFeed> action) {
        while (true) {
            ChannelFeed feed = feeds.computeIfAbsent(channel, c -> new ChannelFeed(c, this));
            if (feed.submit(() -> action.accept(feed))) {
                return;
            }
            // The feed retired between lookup and submit; it has already left the map, so the next lookup is new.
        }
    }

    void forget(ChannelFeed feed) {
        feeds.remove(feed.channel, feed);
    }

    void schedule(Runnable task, long delayMs) {
        if (!timer.isShutdown()) {
            timer.schedule(task, delayMs, TimeUnit.MILLISECONDS);
        }
    }

    /** The node's one encoder of message frames: fan-out, catch-up and long-poll share what it encodes. */
    public MessageFrames frames() {
        return frames;
    }

    ChannelSource store() {
        return store;
    }

    /**
     * The channel's subscribers at this node (for operators' {@code channel C}): WebSocket subscriptions and parked
     * long-polls. Blocks the caller up to a second while the feed's thread counts them; -1 when it did not answer.
     */
    public int subscribers(String channel) {
        ChannelFeed feed = feeds.get(channel);
        if (feed == null) {
            return 0;
        }
        try {
            return feed.subscribers().get(1, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    UUID self() {
        return self;
    }

    Executor pool() {
        return pool;
    }

    FeedSettings settings() {
        return settings;
    }

    Clock clock() {
        return clock;
    }

    void delivered(int count) {
        deliveredMessages.increment(count);
    }

    void slowConsumer() {
        slowConsumers.increment();
    }

    void pendingOverflow() {
        pendingOverflows.increment();
    }

    @Override
    public void close() {
        feeds.clear();
    }
}
