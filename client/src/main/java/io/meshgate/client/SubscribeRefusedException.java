package io.meshgate.client;

/** The server refused a subscription ({@code forbidden}, {@code bad_channel}, {@code bad_request}); it is dropped. */
public final class SubscribeRefusedException extends RuntimeException {
    private final String channel;
    private final String code;

    public SubscribeRefusedException(String channel, String code, String reason) {
        super(channel + ": " + code + ": " + reason);
        this.channel = channel;
        this.code = code;
    }

    public String channel() {
        return channel;
    }

    public String code() {
        return code;
    }
}
