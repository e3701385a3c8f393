package io.meshgate.edge.protocol;

/**
 * The {@code code} of {@code error} and {@code nack} objects, and the HTTP status each maps to. {@link #CONFLICT} is
 * for the admin API only: clients of protocol v1 never get it.
 */
public enum ErrorCode {
    UNAUTHORIZED("unauthorized", 401),
    FORBIDDEN("forbidden", 403),
    TOO_LARGE("too_large", 413),
    BAD_CHANNEL("bad_channel", 400),
    BAD_REQUEST("bad_request", 400),
    RATE_LIMITED("rate_limited", 429),
    UNAVAILABLE("unavailable", 503),
    /** An admin call refused because it would lose data or strand clients (or undo a stop); nothing changed. */
    CONFLICT("conflict", 409);

    private final String wire;
    private final int httpStatus;

    ErrorCode(String wire, int httpStatus) {
        this.wire = wire;
        this.httpStatus = httpStatus;
    }

    public String wire() {
        return wire;
    }

    public int httpStatus() {
        return httpStatus;
    }
}
