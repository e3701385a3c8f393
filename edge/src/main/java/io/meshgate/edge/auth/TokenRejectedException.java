package io.meshgate.edge.auth;

/**
 * A token was refused. The transport answers {@code unauthorized} (close 4001, or HTTP 401) with {@link #reason()}.
 *
 * <p>Rejections are an ordinary outcome on an I/O thread (any client can send a bad token), so no stack trace is
 * captured: it would cost time and say nothing about the client's mistake.
 */
public final class TokenRejectedException extends Exception {
    private static final long serialVersionUID = 1L;

    /** @param reason short, fixed text; never include any part of the token */
    public TokenRejectedException(String reason) {
        super(reason, null, false, false);
    }

    /** A human-readable reason safe to send to the client, e.g. "token expired", "bad signature". */
    public String reason() {
        return getMessage();
    }
}
