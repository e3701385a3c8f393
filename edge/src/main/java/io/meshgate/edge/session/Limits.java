package io.meshgate.edge.session;

/**
 * Input limits shared by both transports.
 *
 * @param maxDataBytes            largest {@code data} of a message, as compact UTF-8 JSON
 * @param maxIdChars              longest publisher message id
 * @param maxChannelsPerConnection subscriptions one WebSocket connection may hold
 */
public record Limits(int maxDataBytes, int maxIdChars, int maxChannelsPerConnection) {
    public static final Limits DEFAULTS = new Limits(64 * 1024, 256, 100);

    /**
     * The frame (and HTTP body) limit leaves room for the envelope and for JSON that a client wrote with escapes
     * or whitespace, so a publish whose data is within {@link #maxDataBytes} is never refused for its frame size.
     */
    public int maxFrameBytes() {
        return Math.max(maxDataBytes * 8, maxDataBytes + 64 * 1024);
    }
}
