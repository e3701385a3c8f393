package io.meshgate.edge.auth;

import java.util.Objects;

/**
 * Who a client is and what it may do, fixed for one long-poll request, and for a WebSocket
 * connection until its token expires or the client replaces it with {@code refresh}.
 *
 * @param subject   the token's {@code sub}: the client id, used in logs and limits
 * @param subscribe channels the client may subscribe to
 * @param publish   channels the client may publish to
 * @param insecure  true when the identity was not proven by a verified signature (the {@code insecure} demo
 *                  mode); such a principal allows every channel
 * @param expiresAtSeconds the token's {@code exp} (Unix seconds); 0 for an unverified principal
 * @param validUntilMs     when the authorisation ends, in epoch milliseconds: {@code exp} plus the configured clock
 *                         skew; {@link Long#MAX_VALUE} for an unverified principal, whose token is not checked
 */
public record Principal(String subject, ChannelPatterns subscribe, ChannelPatterns publish, boolean insecure,
                        long expiresAtSeconds, long validUntilMs) {

    public Principal {
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(subscribe, "subscribe");
        Objects.requireNonNull(publish, "publish");
    }

    /** A principal without an expiry (tests and the insecure mode). */
    public Principal(String subject, ChannelPatterns subscribe, ChannelPatterns publish, boolean insecure) {
        this(subject, subscribe, publish, insecure, 0, Long.MAX_VALUE);
    }

    public boolean canSubscribe(String channel) {
        return subscribe.allows(channel);
    }

    public boolean canPublish(String channel) {
        return publish.allows(channel);
    }

    /** An unproven identity that may use every channel: only the {@code insecure} mode hands these out. */
    public static Principal insecure(String subject) {
        return new Principal(subject, ChannelPatterns.all(), ChannelPatterns.all(), true);
    }
}
