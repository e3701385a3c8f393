package io.meshgate.client;

/** Where a client's connection stands; {@link StateEvent}s report every change. */
public enum ConnectionState {
    /** Built, {@link MeshgateClient#connect()} not called yet. */
    IDLE,
    /** Choosing a region or opening a connection. */
    CONNECTING,
    /** Connected: subscriptions resumed, publishes flowing. */
    CONNECTED,
    /** Lost or refused; retrying after a backoff unless the event says otherwise. */
    DISCONNECTED,
    /** {@link MeshgateClient#close()} was called; nothing happens any more. */
    CLOSED
}
