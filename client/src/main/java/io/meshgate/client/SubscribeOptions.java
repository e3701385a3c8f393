package io.meshgate.client;

import java.util.function.Consumer;

/** How to subscribe: from a known position (else from the channel's head), and what to do with gaps. */
public final class SubscribeOptions {
    private static final Consumer<GapEvent> IGNORE = gap -> { };

    private final Position from;
    private final Consumer<GapEvent> onGap;

    private SubscribeOptions(Position from, Consumer<GapEvent> onGap) {
        this.from = from;
        this.onGap = onGap;
    }

    /** From the channel's head: only messages published after the server answered the subscribe. */
    public static SubscribeOptions live() {
        return new SubscribeOptions(null, IGNORE);
    }

    /** Every message after {@code position} (one an earlier subscription reported), then live ones. */
    public static SubscribeOptions from(Position position) {
        return new SubscribeOptions(position, IGNORE);
    }

    /**
     * Called, on the client's event thread and in order with the messages, when the server no longer holds messages
     * the subscription asked for. The client-wide {@link MeshgateClient#onGap} listeners are called as well.
     */
    public SubscribeOptions onGap(Consumer<GapEvent> listener) {
        return new SubscribeOptions(from, listener == null ? IGNORE : listener);
    }

    Position fromPosition() {
        return from;
    }

    Consumer<GapEvent> gapListener() {
        return onGap;
    }
}
