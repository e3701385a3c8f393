package io.meshgate.relay.publish;

import io.meshgate.relay.history.PublishRequest;
import io.meshgate.relay.history.Sequenced;

import java.util.concurrent.CompletableFuture;

/**
 * Where an edge hands a validated publish: the region's own sequencer, or the mesh, which takes it to the channel's
 * home. Completes once the message may be acked; fails with {@link SequencerUnavailableException} when it may not.
 */
public interface Publisher {
    CompletableFuture<Sequenced> publish(String channel, PublishRequest request);
}
