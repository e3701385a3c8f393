package io.meshgate.relay.history;

/** A subscribe or publish would create a channel beyond the region's {@code history.maxChannels}. */
public final class ChannelLimitException extends RuntimeException {
    private final int maxChannels;

    public ChannelLimitException(String channel, int maxChannels) {
        super("the region holds its maximum of " + maxChannels + " channels (history.maxChannels); " + channel
                + " is not one of them. Existing channels still work; retry later", null, false, false);
        this.maxChannels = maxChannels;
    }

    public int maxChannels() {
        return maxChannels;
    }

    /** The limit error behind {@code failure} (unwrapping completion wrappers), or null when it is something else. */
    public static ChannelLimitException in(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof ChannelLimitException limit) {
                return limit;
            }
        }
        return null;
    }
}
