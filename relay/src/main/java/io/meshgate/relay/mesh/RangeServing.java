package io.meshgate.relay.mesh;

import io.meshgate.proto.relay.RangeReply;
import io.meshgate.proto.relay.RangeRequest;
import io.meshgate.relay.channel.ChannelNames;
import io.meshgate.relay.fanout.DeliveryCodec;
import io.meshgate.relay.history.ChannelStore;
import io.meshgate.relay.history.Range;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * Range serving, one role of the {@link MeshLeader}: answers a {@code RangeRequest} from this region's history.
 * A plain request reads (durable messages, or all with {@code include_undurable}); one with
 * {@code register_interest} records the asker's interest first, so nothing sequenced after the answered head is
 * missed; one with {@code fence_term} is a reconciling home's fence request, answered with what is held including
 * undurable messages and the seen ids. A channel homed here but not yet reconciled is reconciled before it is read,
 * so a reader is never told a head behind the channel's.
 *
 * <p>Threads: {@link #answer} is called on the conductor and never blocks; the reply completes on a Hazelcast
 * thread. An answer always comes (an {@code error} reply when the read fails), so an asker never waits it out.
 */
final class RangeServing {
    /** The most messages one answer carries, whatever the request asks. */
    static final int MAX_RANGE = 1000;

    private final String region;
    private final ChannelStore store;
    private final Homes homes;
    private final Reconciler reconciler;
    private final InterestTable interest;

    RangeServing(String region, ChannelStore store, Homes homes, Reconciler reconciler, InterestTable interest) {
        this.region = region;
        this.store = store;
        this.homes = homes;
        this.reconciler = reconciler;
        this.interest = interest;
    }

    /** Answers {@code from}'s request (this region's own name when a node of this region asked). */
    CompletableFuture<RangeReply> answer(String from, RangeRequest request) {
        RangeReply.Builder reply = RangeReply.newBuilder().setChannel(request.getChannel())
                .setRequestId(request.getRequestId());
        if (!ChannelNames.isValid(request.getChannel())) {
            return CompletableFuture.completedFuture(reply.setError("bad channel name").build());
        }
        int max = (int) Math.min(Integer.toUnsignedLong(request.getMaxMessages()), MAX_RANGE);
        if (request.getFenceTerm() > 0) {
            return fence(from, request, max, reply);
        }
        if (request.getRegisterInterest()) {
            interest.add(from, List.of(request.getChannel()));
        }
        String channel = request.getChannel();
        Supplier<CompletableFuture<Range>> reading = () -> (request.getIncludeUndurable()
                ? store.readRaw(channel, request.getAfterSeq(), max)
                : store.read(channel, request.getAfterSeq(), max)).toCompletableFuture();
        return reading.get().thenCompose(range -> {
            if (!homes.home(channel).equals(region) || region.equals(range.owner())) {
                return CompletableFuture.completedFuture(range);
            }
            // Homed here but not reconciled yet (new, restarted empty, or just taken over): what this region holds
            // may be behind the channel's head, which readers must be told (protocol: the head is the channel's).
            return reconciler.reconcile(channel).handle((ok, failure) -> failure)
                    .thenCompose(failure -> failure == null ? reading.get() : CompletableFuture.completedFuture(range));
        }).handle((range, failure) -> {
            if (failure != null) {
                return reply.setError("history read failed: " + failure.getMessage()).build();
            }
            reply.setHead(DeliveryCodec.position(range.epoch(), range.head())).setGapFrom(range.gapFrom())
                    .setGapTo(range.gapTo()).setTerm(range.term());
            range.messages().forEach(m -> reply.addMessages(DeliveryCodec.toProto(m)));
            return reply.build();
        });
    }

    private CompletableFuture<RangeReply> fence(String from, RangeRequest request, int max, RangeReply.Builder reply) {
        return store.fence(request.getChannel(), request.getFenceTerm(), from, max).toCompletableFuture()
                .handle((fenced, failure) -> {
                    if (failure != null) {
                        return reply.setError("fencing failed: " + failure.getMessage()).build();
                    }
                    Range held = fenced.held();
                    reply.setFence(fenced.fence()).setFenceGranted(fenced.granted()).setTerm(held.term())
                            .setDurableSeq(fenced.durable())
                            .setHead(DeliveryCodec.position(held.epoch(), held.head()));
                    held.messages().forEach(m -> reply.addMessages(DeliveryCodec.toProto(m)));
                    fenced.seenIds().forEach(seen -> reply.addSeenIds(io.meshgate.proto.relay.SeenId.newBuilder()
                            .setId(seen.id()).setPosition(DeliveryCodec.position(seen.epoch(), seen.seq()))
                            .setTs(seen.ts())));
                    return reply.setInterested(fenced.interested()).build();
                });
    }
}
