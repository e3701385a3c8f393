package io.meshgate.edge.delivery;

/** A handle on one subscriber's attachment to a channel on this node; {@link #close()} detaches it. */
public final class FeedSubscription implements AutoCloseable {
    private final FeedRegistry registry;
    private final String channel;
    private final FeedListener listener;

    FeedSubscription(FeedRegistry registry, String channel, FeedListener listener) {
        this.registry = registry;
        this.channel = channel;
        this.listener = listener;
    }

    public String channel() {
        return channel;
    }

    FeedListener listener() {
        return listener;
    }

    @Override
    public void close() {
        registry.detach(this);
    }
}
