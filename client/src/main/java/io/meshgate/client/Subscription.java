package io.meshgate.client;

import java.util.concurrent.CompletableFuture;

/** One channel subscription of a {@link MeshgateClient}; it lasts across reconnects until {@link #close()}. */
public interface Subscription extends AutoCloseable {
    String channel();

    /**
     * The position of the last message (or gap) handed to the application; before any, the position the subscription
     * started from: the head the server reported, or {@link SubscribeOptions#from}. Null until the server first
     * answered a subscription without {@code from}. Persist it to resume later with {@link SubscribeOptions#from}.
     */
    Position position();

    /**
     * Completes (on the client's event thread) with the starting position once the server first answered the
     * subscribe; fails with {@link SubscribeRefusedException} when it refused it (then the subscription is closed),
     * or with {@link ClientStoppedException} when the client is closed first.
     */
    CompletableFuture<Position> subscribed();

    boolean isClosed();

    /** Unsubscribes; messages still queued for the application are dropped. */
    @Override
    void close();
}
