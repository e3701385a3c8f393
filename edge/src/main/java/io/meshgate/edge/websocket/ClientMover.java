package io.meshgate.edge.websocket;

/**
 * Orders that move a node's WebSocket clients to another region or node, one order per mover (a drain, an
 * operator's region drain or failover, a region cut off from the mesh). {@link WebSocketEndpoint} carries them out;
 * the movers depend on this alone, so each can be tested without sockets.
 *
 * <p>Threads: any.
 */
public interface ClientMover {

    /**
     * Sends every session {@code move} (reason, region, URL, with jitter) and moves on every client that connects
     * until {@code mover} withdraws its order; replaces only {@code mover}'s earlier order.
     */
    void moveAll(Object mover, String reason, String region, String url);

    /** Withdraws {@code mover}'s order, if it gave one; another mover's order still in force stays. */
    void stopMoving(Object mover);
}
