package io.meshgate.client;

import java.util.Objects;

/**
 * Where a channel's stream stands: the last message's {@code seq} and the opaque {@code epoch} of its sequencer. An
 * application that persists a subscription's position can resume from it later with
 * {@link SubscribeOptions#from(Position)}.
 */
public record Position(String epoch, long seq) {
    public Position {
        Objects.requireNonNull(epoch, "epoch");
        if (seq < 0) {
            throw new IllegalArgumentException("seq must be >= 0, was " + seq);
        }
    }
}
