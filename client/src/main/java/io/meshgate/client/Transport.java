package io.meshgate.client;

/** How a client reaches an edge. */
public enum Transport {
    /** WebSocket, and long-poll for a region whose WebSocket fails twice before {@code connected} while it answers pings. */
    AUTO,
    /** WebSocket only. */
    WEBSOCKET,
    /** HTTP long-poll only ({@code /v1/poll}, {@code /v1/publish}). */
    LONG_POLL
}
