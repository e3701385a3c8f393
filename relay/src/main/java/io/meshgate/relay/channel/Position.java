package io.meshgate.relay.channel;

import java.io.Serializable;

/**
 * A place in a channel's stream. {@code seq} is the only thing that orders messages; {@code epoch} names the
 * sequencer that assigned it, so a client resuming with an epoch the server did not issue lets the server detect
 * divergence (a restart from empty state, a failover) instead of silently trusting the number.
 */
public record Position(String epoch, long seq) implements Serializable {
}
