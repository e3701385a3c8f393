package io.meshgate.relay.mesh;

import io.meshgate.proto.relay.InterestUpdate;
import io.meshgate.proto.relay.LinkFrame;
import io.meshgate.proto.relay.RangeReply;
import io.meshgate.proto.relay.RangeRequest;
import io.meshgate.relay.fanout.DeliveryCodec;
import io.meshgate.relay.history.ChannelSource;
import io.meshgate.relay.history.ChannelStore;
import io.meshgate.relay.history.Range;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * Channels for the edge when regions form a mesh. A channel homed here is read from the region's store as before.
 * For one homed elsewhere, this region's store holds a replica fed by the home: subscribing registers interest
 * with the home and brings the replica up to the home's head first; a read that a client is told a head from
 * asks the home for its head; history this region lacks is read from the home. When the home cannot be reached,
 * the local replica answers alone, so clients keep what this region has.
 */
final class MeshChannelSource implements ChannelSource {
    private static final Logger LOG = LoggerFactory.getLogger(MeshChannelSource.class);

    private final Mesh mesh;
    private final ChannelStore store;

    MeshChannelSource(Mesh mesh, ChannelStore store) {
        this.mesh = mesh;
        this.store = store;
    }

    @Override
    public CompletionStage<Range> subscribe(String channel, UUID member, long afterSeq, int maxMessages) {
        CompletionStage<Range> local = store.subscribe(channel, member, afterSeq, maxMessages);
        if (mesh.isHomeHere(channel)) {
            return local.thenCompose(range -> owned(channel, range, () -> store.read(channel, afterSeq, maxMessages)));
        }
        return local.thenCompose(localRange -> localHead(channel)
                .thenCompose(head -> remote(channel, head, 0, true))
                .thenCompose(reply -> store.read(channel, afterSeq, maxMessages)
                        .thenApply(after -> withHomeHead(after, reply)))
                .exceptionally(failure -> {
                    LOG.debug("subscribe to {} served by this region alone: {}", channel, Mesh.rootMessage(failure));
                    return localRange;
                }));
    }

    @Override
    public CompletionStage<Range> unsubscribe(String channel, UUID member) {
        CompletionStage<Range> local = store.unsubscribe(channel, member);
        if (mesh.isHomeHere(channel)) {
            return local;
        }
        return local.whenComplete((range, failure) -> mesh.toLeader(LinkFrame.newBuilder()
                .setTarget(mesh.regionName()).setInterest(InterestUpdate.newBuilder().addRemoved(channel)).build()));
    }

    @Override
    public CompletionStage<Range> read(String channel, long afterSeq, int maxMessages) {
        if (mesh.isHomeHere(channel)) {
            return homeRead(channel, afterSeq, maxMessages);
        }
        // The head is asked for at once, beside the local read, so the usual case costs one round trip. The rare read
        // that finds a hole here asks again with messages: one extra request, instead of shipping messages on every
        // read that this region could answer itself.
        CompletableFuture<RangeReply> head = remote(channel, afterSeq, 0, false);
        return store.read(channel, afterSeq, maxMessages).toCompletableFuture().thenCompose(local -> {
            if (local.hasGap() || afterSeq > local.head()) {
                return remote(channel, afterSeq, maxMessages, false).thenApply(MeshChannelSource::toRange)
                        .exceptionally(failure -> local);
            }
            return head.thenApply(reply -> withHomeHead(local, reply)).exceptionally(failure -> local);
        });
    }

    @Override
    public CompletionStage<Range> readNear(String channel, long afterSeq, int maxMessages) {
        if (mesh.isHomeHere(channel)) {
            return homeRead(channel, afterSeq, maxMessages);
        }
        return store.read(channel, afterSeq, maxMessages).toCompletableFuture().thenCompose(local -> {
            if (!local.hasGap()) {
                return CompletableFuture.completedFuture(local);
            }
            return remote(channel, afterSeq, maxMessages, false).thenApply(MeshChannelSource::toRange)
                    .exceptionally(failure -> local);
        });
    }

    private CompletionStage<Range> homeRead(String channel, long afterSeq, int maxMessages) {
        Supplier<CompletionStage<Range>> reading = () -> store.read(channel, afterSeq, maxMessages);
        return reading.get().thenCompose(range -> owned(channel, range, reading));
    }

    /**
     * The channel is homed here. Until this region has reconciled it (a new channel, a region restarted from empty
     * state, a channel just taken over from a region that went down) its store may be behind the channel's head;
     * the leader reconciles it first, then the read is made again. When that fails, this region's view is all
     * there is.
     */
    private CompletionStage<Range> owned(String channel, Range range,
                                         Supplier<CompletionStage<Range>> readAgain) {
        if (mesh.regionName().equals(range.owner())) {
            return CompletableFuture.completedFuture(range);
        }
        LinkFrame reconcile = LinkFrame.newBuilder().setOrigin(mesh.regionName()).setTarget(mesh.regionName())
                .setRangeRequest(RangeRequest.newBuilder().setChannel(channel)).build();
        return mesh.toLeader(reconcile).thenCompose(reply -> readAgain.get())
                .exceptionally(failure -> {
                    LOG.debug("{} read before it was reconciled here: {}", channel, Mesh.rootMessage(failure));
                    return range;
                });
    }

    private CompletableFuture<Long> localHead(String channel) {
        return store.read(channel, 0, 0).toCompletableFuture().thenApply(Range::head);
    }

    /** A range request to the channel's home through this region's leader. */
    private CompletableFuture<RangeReply> remote(String channel, long after, int max, boolean registerInterest) {
        LinkFrame frame = LinkFrame.newBuilder().setOrigin(mesh.regionName()).setTarget(mesh.home(channel))
                .setRangeRequest(RangeRequest.newBuilder().setChannel(channel).setAfterSeq(Math.max(after, 0))
                        .setMaxMessages(max).setRegisterInterest(registerInterest)).build();
        return mesh.toLeader(frame).thenApply(reply -> {
            RangeReply range = reply.getRangeReply();
            if (!range.getError().isEmpty()) {
                throw new MeshUnavailableException(range.getError());
            }
            return range;
        });
    }

    /** This region's messages, with the home's epoch and a head that is at least the home's. */
    private static Range withHomeHead(Range local, RangeReply home) {
        return new Range(home.getHead().getEpoch(), Math.max(local.head(), home.getHead().getSeq()), local.messages(),
                local.gapFrom(), local.gapTo());
    }

    private static Range toRange(RangeReply reply) {
        return new Range(reply.getHead().getEpoch(), reply.getHead().getSeq(),
                DeliveryCodec.fromProto(reply.getMessagesList()),
                reply.getGapFrom(), reply.getGapTo());
    }
}
