package io.meshgate.relay.mesh;

import io.meshgate.proto.relay.PublishForward;
import io.meshgate.proto.relay.PublishOutcome;
import io.meshgate.relay.channel.ChannelNames;
import io.meshgate.relay.fanout.DeliveryCodec;
import io.meshgate.relay.history.PublishRequest;
import io.meshgate.relay.publish.ChannelSequencer;

import java.util.concurrent.CompletableFuture;

/**
 * Home-side publish, one role of the {@link MeshLeader}: a publish forwarded from another region (or from this
 * region's nodes through its lane) is sequenced here only when this region is the channel's home as {@link Homes}
 * says and may serve, and only in the order its forwarding leader sent it ({@link ForwardOrder}, G6 across
 * reroutes). Everything else gets an error outcome at once, which the publisher sees as {@code unavailable}.
 *
 * <p>Threads: {@link #publish} is called on the conductor and never blocks; the outcome completes on whatever
 * thread the sequencer completes on (a Hazelcast or worker thread).
 */
final class HomePublish {
    private final String region;
    private final Homes homes;
    private final Liveness liveness;
    private final ChannelSequencer sequencer;
    private final ForwardOrder forwardOrder;

    HomePublish(String region, Homes homes, Liveness liveness, ChannelSequencer sequencer, ForwardOrder forwardOrder) {
        this.region = region;
        this.homes = homes;
        this.liveness = liveness;
        this.sequencer = sequencer;
        this.forwardOrder = forwardOrder;
    }

    CompletableFuture<PublishOutcome> publish(PublishForward publish) {
        PublishOutcome.Builder outcome = PublishOutcome.newBuilder().setRequestId(publish.getRequestId())
                .setChannel(publish.getChannel());
        if (!ChannelNames.isValid(publish.getChannel()) || publish.getId().isEmpty()) {
            return CompletableFuture.completedFuture(outcome.setError("bad channel or id").build());
        }
        if (!forwardOrder.admit(publish.getOriginSession(), publish.getChannel(), publish.getOriginOrder())) {
            return CompletableFuture.completedFuture(outcome.setError("overtaken by a later publish of the same"
                    + " sender on another path").build());
        }
        String home = homes.home(publish.getChannel());
        if (!home.equals(region) || (homes.rehomes() && !liveness.canServe())) {
            return CompletableFuture.completedFuture(outcome.setError("region " + region
                    + " is not the home of " + publish.getChannel() + " (" + home + " is)").build());
        }
        return sequencer.publish(publish.getChannel(), new PublishRequest(publish.getId(), publish.getDataJson()))
                .handle((sequenced, failure) -> failure != null
                        ? outcome.setError(String.valueOf(failure.getMessage())).build()
                        : outcome.setPosition(DeliveryCodec.toProto(sequenced.position())).build());
    }
}
