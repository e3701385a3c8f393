package io.meshgate.edge.delivery;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A long-poll's interest in one channel: told once the route is in place ({@code onReady}, after which a history
 * read cannot miss a message), and again when a message after {@code afterSeq} arrives. Fires at most once.
 */
public final class FeedWaiter {
    /** What the waiting request is told; called on a feed executor, so implementations return at once. */
    public interface Callback {
        void onReady(FeedWaiter waiter);

        void onArrival(FeedWaiter waiter);

        void onFailure(FeedWaiter waiter, Throwable cause);
    }

    private final String channel;
    private final long afterSeq;
    private final Callback callback;
    private final AtomicBoolean done = new AtomicBoolean();
    private FeedRegistry registry;

    public FeedWaiter(String channel, long afterSeq, Callback callback) {
        this.channel = channel;
        this.afterSeq = afterSeq;
        this.callback = callback;
    }

    public String channel() {
        return channel;
    }

    long afterSeq() {
        return afterSeq;
    }

    boolean isDone() {
        return done.get();
    }

    void attachTo(FeedRegistry registry) {
        this.registry = registry;
    }

    void ready() {
        if (!done.get()) {
            callback.onReady(this);
        }
    }

    void arrived() {
        if (done.compareAndSet(false, true)) {
            callback.onArrival(this);
        }
    }

    void failed(Throwable cause) {
        if (done.compareAndSet(false, true)) {
            callback.onFailure(this, cause);
        }
    }

    /** Stops waiting (the request answered or went away). */
    public void cancel() {
        done.set(true);
        if (registry != null) {
            registry.removeWaiter(this);
        }
    }
}
