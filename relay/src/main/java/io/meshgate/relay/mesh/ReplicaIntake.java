package io.meshgate.relay.mesh;

import io.meshgate.proto.relay.ChannelHead;
import io.meshgate.proto.relay.Delivery;
import io.meshgate.proto.relay.HeadNotice;
import io.meshgate.proto.relay.LinkFrame;
import io.meshgate.proto.relay.RangeReply;
import io.meshgate.proto.relay.RangeRequest;
import io.meshgate.proto.relay.Stored;
import io.meshgate.relay.channel.ChannelNames;
import io.meshgate.relay.channel.Message;
import io.meshgate.relay.fanout.DeliveryCodec;
import io.meshgate.relay.history.ChannelStore;
import io.meshgate.relay.history.ReplicaResult;
import io.meshgate.relay.history.SlowCallLog;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;

/**
 * Replica intake, one role of the {@link MeshLeader}: stores what other regions' homes send here (a
 * {@code Delivery}, answered with {@code Stored} when the home awaits durability) through the {@link ReplicaWriter},
 * and pulls from a home what this region lacks (a sync when it starts reading a channel homed elsewhere, a catch-up
 * when a link to a home comes back, and when a home's {@link HeadNotices notice} shows a head this region lacks).
 *
 * <p>Threads: {@link #take}, {@link #sync}, {@link #catchUp} and {@link #noticed} are called on the conductor and
 * never block; their results complete on Hazelcast threads.
 */
final class ReplicaIntake {
    private static final Logger LOG = LoggerFactory.getLogger(ReplicaIntake.class);

    /** Pages one catch-up fetches at most (100,000 messages); a region further behind goes on at the next one. */
    private static final int MAX_PAGES = 100;

    private final ChannelStore store;
    private final Links links;
    private final ReplicaWriter replicas;
    private final Counter deliveriesIn;
    private final Counter behind;
    private final SlowCallLog slow = new SlowCallLog(LOG, "durability store (storing a home's delivery)");

    ReplicaIntake(ChannelStore store, Links links, ReplicaWriter replicas, MeterRegistry meters) {
        this.store = store;
        this.links = links;
        this.replicas = replicas;
        this.deliveriesIn = meters.counter("meshgate.mesh.deliveries", "direction", "in");
        this.behind = meters.counter("meshgate.mesh.head_notices.behind");
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

    /** Reads the replica's head and fetches from the home what came after it, page by page. */
    void catchUp(String home, String channel) {
        store.read(channel, 0, 0).toCompletableFuture()
                .thenCompose(local -> pages(home, channel, local.head(), Long.MAX_VALUE, MAX_PAGES))
                .whenComplete((head, failure) -> {
                    if (failure != null) {
                        LOG.debug("catch-up of {} from {} failed: {}", channel, home, failure.toString());
                    }
                });
    }

    /**
     * A home's notice of the heads of channels that went quiet ({@link HeadNotices}). For each channel this region
     * counts homed at {@code from}, the replica's head is read; when it is behind, the messages it lacks (a lost last
     * delivery) are fetched from the home now, since no later delivery may come to show the hole.
     */
    void noticed(String from, HeadNotice notice, Predicate<String> homedAtSender) {
        for (ChannelHead head : notice.getHeadsList()) {
            String channel = head.getChannel();
            if (!ChannelNames.isValid(channel) || !homedAtSender.test(channel)) {
                continue;
            }
            store.read(channel, 0, 0).toCompletableFuture().thenCompose(local -> {
                if (local.head() >= head.getSeq()) {
                    return CompletableFuture.completedFuture(local.head());
                }
                behind.increment();
                LOG.info("channel {} is behind its home {} here (seq {} < {}): a delivery was lost; fetching the rest",
                        channel, from, local.head(), head.getSeq());
                return pages(from, channel, local.head(), head.getSeq(), MAX_PAGES);
            }).whenComplete((stored, failure) -> {
                if (failure != null) {
                    LOG.info("catching up {} from {} after its head notice failed: {}", channel, from,
                            failure.toString());
                }
            });
        }
    }

    /**
     * Fetches and stores what follows {@code after} until the replica holds {@code target} (or the home's head, when
     * that is lower), at most {@code pagesLeft} pages of {@link RangeServing#MAX_RANGE}; completes with the head stored.
     */
    private CompletableFuture<Long> pages(String home, String channel, long after, long target, int pagesLeft) {
        return page(home, channel, after).thenCompose(head -> {
            boolean progressed = head.stored() > after;
            long goal = Math.min(target, head.home());
            return progressed && head.stored() < goal && pagesLeft > 1
                    ? pages(home, channel, head.stored(), target, pagesLeft - 1)
                    : CompletableFuture.completedFuture(head.stored());
        });
    }

    /** What a page fetch left: the head this replica holds now and the head the home answered with. */
    private record PageHeads(long stored, long home) {
    }

    private CompletableFuture<PageHeads> page(String home, String channel, long after) {
        return fetch(home, channel, after, false).thenApply(fetched -> {
            RangeReply reply = fetched.reply();
            if (!reply.getError().isEmpty()) {
                throw new MeshUnavailableException("region " + home + ": " + reply.getError());
            }
            return new PageHeads(fetched.stored() == null ? after : fetched.stored().head(),
                    reply.getHead().getSeq());
        });
    }

    /** Asks the home for what follows {@code after} (registering interest if asked), stores it, returns the reply. */
    CompletableFuture<RangeReply> sync(String home, String channel, long after, boolean registerInterest) {
        return fetch(home, channel, after, registerInterest).thenApply(Fetched::reply);
    }

    /** A range reply and what storing its messages left ({@code stored} null when the store dropped them). */
    private record Fetched(RangeReply reply, ReplicaResult stored) {
    }

    private CompletableFuture<Fetched> fetch(String home, String channel, long after, boolean registerInterest) {
        return links.request(home, id -> LinkFrame.newBuilder().setRangeRequest(RangeRequest.newBuilder()
                        .setChannel(channel).setAfterSeq(after).setMaxMessages(RangeServing.MAX_RANGE)
                        .setRegisterInterest(registerInterest).setRequestId(id)).build())
                .thenCompose(frame -> {
                    RangeReply reply = frame.getRangeReply();
                    List<Message> messages = DeliveryCodec.fromProto(reply.getMessagesList());
                    boolean reset = !messages.isEmpty() && messages.get(0).seq() != after + 1;
                    return replicas.store(home, channel, messages, reset, reply.getTerm())
                            .thenApply(result -> new Fetched(reply, result));
                });
    }
}
