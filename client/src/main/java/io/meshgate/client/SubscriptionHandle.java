package io.meshgate.client;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * The application's side of a subscription. {@link #deliver} and {@link #gap} run on the client's event thread, so
 * {@code position} moves in step with what the application has been handed.
 */
final class SubscriptionHandle implements Subscription {
    private final String channel;
    private final Consumer<Message> handler;
    private final Consumer<GapEvent> gapListener;
    private final List<Consumer<GapEvent>> clientGapListeners;
    private final Consumer<SubscriptionHandle> onClose;
    private final CompletableFuture<Position> subscribed = new CompletableFuture<>();
    private volatile Position position;
    private volatile boolean closed;

    SubscriptionHandle(String channel, Consumer<Message> handler, SubscribeOptions options,
                       List<Consumer<GapEvent>> clientGapListeners, Consumer<SubscriptionHandle> onClose) {
        this.channel = channel;
        this.handler = handler;
        this.gapListener = options.gapListener();
        this.clientGapListeners = clientGapListeners;
        this.onClose = onClose;
        this.position = options.fromPosition();
    }

    @Override
    public String channel() {
        return channel;
    }

    @Override
    public Position position() {
        return position;
    }

    @Override
    public CompletableFuture<Position> subscribed() {
        return subscribed;
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            onClose.accept(this);
        }
    }

    /** Event thread: the server answered the subscribe; {@code start} is where the subscription stands. */
    void started(Position start) {
        if (position == null) {
            position = start;
        }
        subscribed.complete(start);
    }

    /** Event thread: the server refused the subscription. */
    void refused(SubscribeRefusedException refusal) {
        closed = true;
        subscribed.completeExceptionally(refusal);
    }

    /** Event thread. */
    void deliver(Message message) {
        if (closed) {
            return;
        }
        position = message.position();
        handler.accept(message);
    }

    /** Event thread: messages up to the gap's {@code to} are gone; {@code after} is the position past them. */
    void gap(GapEvent gap, Position after) {
        if (closed) {
            return;
        }
        position = after;
        gapListener.accept(gap);
        clientGapListeners.forEach(listener -> listener.accept(gap));
    }
}
