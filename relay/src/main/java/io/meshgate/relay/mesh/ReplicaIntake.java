package io.meshgate.relay.mesh;

import io.meshgate.proto.relay.Delivery;
import io.meshgate.proto.relay.LinkFrame;
import io.meshgate.proto.relay.RangeReply;
import io.meshgate.proto.relay.RangeRequest;
import io.meshgate.proto.relay.Stored;
import io.meshgate.relay.channel.ChannelNames;
import io.meshgate.relay.channel.Message;
import io.meshgate.relay.fanout.DeliveryCodec;
import io.meshgate.relay.history.ChannelStore;
import io.meshgate.relay.history.SlowCallLog;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Replica intake, one role of the {@link MeshLeader}: stores what other regions' homes send here (a
 * {@code Delivery}, answered with {@code Stored} when the home awaits durability) through the {@link ReplicaWriter},
 * and pulls from a home what this region lacks (a sync when it starts reading a channel homed elsewhere, a catch-up
 * when a link to a home comes back).
 *
 * <p>Threads: {@link #take}, {@link #sync} and {@link #catchUp} are called on the conductor and never block; their
 * results complete on Hazelcast threads.
 */
final class ReplicaIntake {
    private static final Logger LOG = LoggerFactory.getLogger(ReplicaIntake.class);

    private final ChannelStore store;
    private final Links links;
    private final ReplicaWriter replicas;
    private final Counter deliveriesIn;
    private final SlowCallLog slow = new SlowCallLog(LOG, "durability store (storing a home's delivery)");

    ReplicaIntake(ChannelStore store, Links links, ReplicaWriter replicas, MeterRegistry meters) {
        this.store = store;
        this.links = links;
        this.replicas = replicas;
        this.deliveriesIn = meters.counter("meshgate.mesh.deliveries", "direction", "in");
    }

    /**
     * Stores a delivery from {@code from}; completes with the {@code Stored} answer when the home asked for one
     * (empty otherwise, and for a channel name no region may use).
     */
    CompletableFuture<Optional<Stored>> take(String from, Delivery delivery) {
        deliveriesIn.increment();
        if (!ChannelNames.isValid(delivery.getChannel())) {
            return CompletableFuture.completedFuture(Optional.empty());
        }
        long started = System.nanoTime();
        return replicas.store(from, delivery.getChannel(), DeliveryCodec.fromProto(delivery), false,
                        delivery.getTerm())
                .whenComplete((result, failure) -> slow.done(started, delivery.getChannel(),
                        () -> "from region " + from + ", " + (failure == null ? "stored" : failure.toString())))
                .thenApply(result -> {
                    if (delivery.getRequestId() == 0) {
                        return Optional.empty();
                    }
                    Stored.Builder stored = Stored.newBuilder().setRequestId(delivery.getRequestId())
                            .setChannel(delivery.getChannel());
                    if (result != null && result.refused()) {
                        stored.setFence(result.refusedByFence());
                    } else {
                        stored.setStoredThrough(result == null ? 0 : result.head());
                    }
                    return Optional.of(stored.build());
                });
    }

    /** Reads the replica's head and fetches from the home what came after it. */
    void catchUp(String home, String channel) {
        store.read(channel, 0, 0).toCompletableFuture()
                .thenCompose(local -> sync(home, channel, local.head(), false))
                .whenComplete((r, failure) -> {
                    if (failure != null) {
                        LOG.debug("catch-up of {} from {} failed: {}", channel, home, failure.toString());
                    }
                });
    }

    /** Asks the home for what follows {@code after} (registering interest if asked), stores it, returns the reply. */
    CompletableFuture<RangeReply> sync(String home, String channel, long after, boolean registerInterest) {
        return links.request(home, id -> LinkFrame.newBuilder().setRangeRequest(RangeRequest.newBuilder()
                        .setChannel(channel).setAfterSeq(after).setMaxMessages(RangeServing.MAX_RANGE)
                        .setRegisterInterest(registerInterest).setRequestId(id)).build())
                .thenCompose(frame -> {
                    RangeReply reply = frame.getRangeReply();
                    List<Message> messages = DeliveryCodec.fromProto(reply.getMessagesList());
                    boolean reset = !messages.isEmpty() && messages.get(0).seq() != after + 1;
                    return replicas.store(home, channel, messages, reset, reply.getTerm()).thenApply(r -> reply);
                });
    }
}
