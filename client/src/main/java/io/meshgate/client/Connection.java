package io.meshgate.client;

/**
 * One attempt to be connected to one endpoint over one transport. Created, driven and discarded by the conductor;
 * every method is called on the conductor thread, and every {@link ConnectionListener} event comes back on it. A
 * connection reports {@code onClosed} at most once, and never after {@link #close()}.
 */
interface Connection {
    /** Increasing per client: tells a late event of an old connection from one of the current. */
    long id();

    Transport transport();

    RankedRegion endpoint();

    /** The URL it connects to, for state events. */
    String url();

    /** Starts connecting; {@code session} is the one of an earlier {@code connected}, or null. */
    void open(String token, String session);

    /** Subscribes from {@code from}, or from the head when null. */
    void subscribe(String channel, Position from);

    void unsubscribe(String channel);

    void publish(PendingPublish publish);

    /** The application's backlog drained: read again if reading was held back. */
    void resumeReading();

    /** Ends it without an {@code onClosed} event. */
    void close();
}
