package io.meshgate.client;

/**
 * A publish that will not be retried: the server's {@code nack} code ({@code forbidden}, {@code too_large},
 * {@code bad_channel}, {@code bad_request}, {@code rate_limited}), or one of the client's own: {@code queue_full}
 * (the outbox was full), {@code unauthorized} (the client stopped because its token was refused) and {@code closed}
 * (the client was closed first).
 */
public final class PublishRefusedException extends RuntimeException {
    private final String code;
    private final String reason;

    public PublishRefusedException(String code, String reason) {
        super(code + ": " + reason);
        this.code = code;
        this.reason = reason;
    }

    public String code() {
        return code;
    }

    public String reason() {
        return reason;
    }
}
