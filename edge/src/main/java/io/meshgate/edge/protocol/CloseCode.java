package io.meshgate.edge.protocol;

/** WebSocket close codes of protocol v1 and what the client is expected to do after each. */
public final class CloseCode {
    /** Bad, expired or missing token, or no {@code connect} in time. Do not retry with the same token. */
    /** Normal closure (RFC 6455): what the server echoes to a client's close without a status. */
    public static final int NORMAL = 1000;
    /** "No status received" (RFC 6455): reported, never sent. */
    public static final int NO_STATUS = 1005;
    public static final int UNAUTHORIZED = 4001;
    /** The client read too slowly and its outbound queue overflowed. Reconnect and resume. */
    public static final int SLOW_CONSUMER = 4008;
    /** Rate limit exceeded repeatedly. Back off, then reconnect. */
    public static final int RATE_LIMITED = 4029;
    /** Sent after {@code move}: reconnect where it says and resume. */
    public static final int MOVED = 4100;
    /** Too many bad frames within a minute. */
    public static final int BAD_INPUT = 4400;
    /** The node is shutting down. Reconnect elsewhere and resume. */
    public static final int SHUTTING_DOWN = 4503;
    /** The WebSocket standard's "message too big", for a frame beyond the frame limit. */
    public static final int FRAME_TOO_LARGE = 1009;

    private CloseCode() {
    }
}
