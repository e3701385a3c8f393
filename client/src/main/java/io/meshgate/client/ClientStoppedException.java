package io.meshgate.client;

/**
 * The client stopped before it could do what a future promised: it was closed, or its fixed token was refused
 * ({@code reason} {@code unauthorized}).
 */
public final class ClientStoppedException extends RuntimeException {
    private final String reason;

    public ClientStoppedException(String reason) {
        super("client stopped: " + reason);
        this.reason = reason;
    }

    public String reason() {
        return reason;
    }
}
