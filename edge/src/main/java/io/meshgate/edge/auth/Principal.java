package io.meshgate.edge.auth;

import java.util.Objects;

/**
 * Who a client is and what it may do, fixed for the life of its connection (or of one long-poll request).
 *
 * @param subject   the token's {@code sub}: the client id, used in logs and limits
 * @param subscribe channels the client may subscribe to
 * @param publish   channels the client may publish to
 * @param insecure  true when the identity was not proven by a verified signature (the {@code insecure} demo
 *                  mode); such a principal allows every channel
 */
public record Principal(String subject, ChannelPatterns subscribe, ChannelPatterns publish, boolean insecure) {

    public Principal {
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(subscribe, "subscribe");
        Objects.requireNonNull(publish, "publish");
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
