package io.meshgate.client;

/** What a {@link Connection} reports to the conductor, always on the conductor thread. */
interface ConnectionListener {
    /** {@code node} and {@code session} are null on long-poll. */
    void onConnected(Connection connection, String region, String node, String session);

    /** The subscription is active; {@code head} is the channel's head when the server answered. */
    void onSubscribed(Connection connection, String channel, Position head);

    void onSubscribeRefused(Connection connection, String channel, String code, String reason);

    void onMessage(Connection connection, Message message);

    void onGap(Connection connection, String channel, long from, long to);

    void onAck(Connection connection, Ack ack);

    /**
     * {@code channel} and {@code id} may be null when the server could not read them. {@code retryMs} is the
     * server's {@code retry_ms} (a {@code rate_limited} nack), or -1 when it gave none.
     */
    void onNack(Connection connection, String channel, String id, String code, String reason, long retryMs);

    /** The server asked the client to go elsewhere; the close that follows is expected. */
    void onMove(Connection connection, String region, String url, long afterMs);

    /** The connection ended; {@code code} is the close code, or -1 when there was none. */
    void onClosed(Connection connection, int code, String reason);

    /** Where a long-poll connection reads a subscribed channel's current position. */
    Position positionOf(String channel);

    /** False while the application's backlog is full; {@link Connection#resumeReading()} follows once it drained. */
    boolean mayRead();
}
