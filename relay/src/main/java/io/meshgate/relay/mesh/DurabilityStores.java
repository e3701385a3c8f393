package io.meshgate.relay.mesh;

import io.meshgate.proto.relay.Delivery;
import io.meshgate.proto.relay.LinkFrame;
import io.meshgate.relay.channel.Message;
import io.meshgate.relay.fanout.DeliveryCodec;
import io.meshgate.relay.history.ChannelStore;
import io.meshgate.relay.history.SlowCallLog;
import io.meshgate.relay.publish.Replication;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Durability stores, the home's side of replication and a role of the {@link MeshLeader}: what the home's
 * {@link io.meshgate.relay.publish.ChannelSequencer} calls to send a sequenced batch to the interested regions and,
 * with {@code durability: region}, to have it stored in at least one other region before it is acked (the region
 * that would take the channel over when no other region listens; one more when every target failed). Each
 * {@code Stored} reply of a region with interest in the channel also tells the {@link RetentionFloors} how far that
 * region got, so the home keeps what a region that falls behind still needs ({@link #retentionFloor}). Every batch
 * is also noted for the {@link HeadNotices}, which tell the regions its head once the channel goes quiet.
 *
 * <p>Threads: called on worker threads by the sequencer and never blocks; stores complete on the conductor (where
 * link replies arrive) or on the timer (a request timeout). Reads only thread-safe holders ({@link Links},
 * {@link InterestTable}, {@link Homes}).
 */
final class DurabilityStores implements Replication {
    private static final Logger LOG = LoggerFactory.getLogger(DurabilityStores.class);

    private final MeshSettings settings;
    private final ChannelStore store;
    private final Links links;
    private final Homes homes;
    private final InterestTable interest;
    private final Reconciler reconciler;
    private final RetentionFloors floors;
    private final HeadNotices notices;
    private final Counter deliveriesOut;
    private final SlowCallLog slow = new SlowCallLog(LOG, "durability store (home waiting for Stored)");

    DurabilityStores(MeshSettings settings, ChannelStore store, Links links, Homes homes, InterestTable interest,
                     Reconciler reconciler, RetentionFloors floors, HeadNotices notices, MeterRegistry meters) {
        this.floors = floors;
        this.notices = notices;
        this.settings = settings;
        this.store = store;
        this.links = links;
        this.homes = homes;
        this.interest = interest;
        this.reconciler = reconciler;
        this.deliveriesOut = meters.counter("meshgate.mesh.deliveries", "direction", "out");
    }

    @Override
    public boolean awaitsStore(String channel) {
        if (settings.durability() != Durability.REGION) {
            return false;
        }
        if (homes.rehomes()) {
            // Another region may take the channel over whenever this one is cut off, so nothing is acked from here
            // alone: a cut-off home nacks instead of forking the channel.
            return true;
        }
        for (String peer : settings.peers().keySet()) {
            if (links.reachable(peer)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public long retentionFloor(String channel) {
        return floors.floor(channel, interest.regionsFor(channel));
    }

    @Override
    public String homeRegion() {
        return settings.region();
    }

    @Override
    public CompletionStage<Void> reconcile(String channel) {
        return reconciler.reconcile(channel);
    }

    @Override
    public Sent send(String channel, long term, List<Message> messages) {
        if (messages.isEmpty()) {
            return new Sent(CompletableFuture.completedFuture(0L), Set.of());
        }
        notices.sequenced(channel, term, messages.get(messages.size() - 1).seq());
        boolean await = awaitsStore(channel);
        Set<String> targets = new TreeSet<>();
        for (String region : interest.regionsFor(channel)) {
            if (links.reachable(region)) {
                targets.add(region);
            }
        }
        if (await && targets.isEmpty()) {
            // Nobody else listens, but durability needs a second region: the one that would take the channel over.
            for (String region : homes.rank(channel)) {
                if (!region.equals(settings.region()) && links.reachable(region)) {
                    targets.add(region);
                    break;
                }
            }
        }
        Delivery delivery = DeliveryCodec.toProto(channel, messages).toBuilder().setTerm(term).build();
        if (!await) {
            targets.forEach(region -> sendDelivery(region, delivery));
            return new Sent(CompletableFuture.completedFuture(0L), targets);
        }
        if (targets.isEmpty()) {
            return new Sent(CompletableFuture.failedFuture(new MeshUnavailableException(
                    "no other region is reachable to store the message")), targets);
        }
        long last = messages.get(messages.size() - 1).seq();
        CompletableFuture<Long> stored = new CompletableFuture<>();
        AtomicInteger failures = new AtomicInteger();
        for (String region : targets) {
            storeIn(region, channel, term, delivery, last).whenComplete((through, failure) -> {
                if (failure == null) {
                    stored.complete(through);
                } else if (failures.incrementAndGet() == targets.size()) {
                    storeElsewhere(channel, term, delivery, last, targets, failure, stored);
                }
            });
        }
        return new Sent(stored, targets);
    }

    /**
     * Every target failed (a region leaving, a link that ended): rather than nack, stores the batch in one more
     * reachable region, the one that would take the channel over. It fetches whatever it lacks before the batch
     * from here, so the batch alone is enough.
     */
    private void storeElsewhere(String channel, long term, Delivery delivery, long last, Set<String> tried,
                                Throwable failure, CompletableFuture<Long> stored) {
        Throwable cause = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
                ? failure.getCause() : failure;
        if (cause instanceof FencedException) {
            stored.completeExceptionally(cause);
            return;
        }
        for (String region : homes.rank(channel)) {
            if (!region.equals(settings.region()) && !tried.contains(region) && links.reachable(region)) {
                storeIn(region, channel, term, delivery, last).whenComplete((through, again) -> {
                    if (again == null) {
                        stored.complete(through);
                    } else {
                        stored.completeExceptionally(again);
                    }
                });
                return;
            }
        }
        stored.completeExceptionally(cause);
    }

    /** Asks one region to store the delivery; completes with its stored-through seq once that covers {@code last}. */
    private CompletableFuture<Long> storeIn(String region, String channel, long term, Delivery delivery, long last) {
        deliveriesOut.increment();
        long started = System.nanoTime();
        return links.request(region, id -> LinkFrame.newBuilder().setDelivery(delivery.toBuilder().setRequestId(id))
                        .build())
                .thenApply(reply -> {
                    long through = reply.getStored().getStoredThrough();
                    long fence = reply.getStored().getFence();
                    if (fence > 0) {
                        LOG.info("region {} refused channel {} of term {}: it promised term {} to a newer home",
                                region, channel, term, fence);
                        store.learnFence(channel, fence);
                        throw new FencedException("region " + region + " follows a newer home of the channel");
                    }
                    if (interest.regionsFor(channel).contains(region)) {
                        // Also when short of the batch (it is still fetching a hole): that is how far it got.
                        floors.stored(region, channel, through);
                    }
                    if (through < last) {
                        throw new MeshUnavailableException("region " + region + " stored only up to seq " + through);
                    }
                    return through;
                })
                .whenComplete((through, failure) -> slow.done(started, channel, () -> "region " + region + ", "
                        + (failure == null ? "stored through " + through : failure.toString())));
    }

    /** A region refused a store because a newer home fenced it: no other region may be asked instead. */
    private static final class FencedException extends RuntimeException {
        FencedException(String message) {
            super(message, null, false, false);
        }
    }

    @Override
    public void sendToLateInterest(String channel, long term, List<Message> messages, Set<String> alreadySentTo) {
        if (messages.isEmpty()) {
            return;
        }
        Delivery delivery = null;
        for (String region : interest.regionsFor(channel)) {
            if (!alreadySentTo.contains(region)) {
                if (delivery == null) {
                    delivery = DeliveryCodec.toProto(channel, messages).toBuilder().setTerm(term).build();
                }
                sendDelivery(region, delivery);
            }
        }
    }

    private void sendDelivery(String region, Delivery delivery) {
        deliveriesOut.increment();
        // A refused frame is not lost for good: the region finds the hole at the next message or link sync.
        links.send(region, LinkFrame.newBuilder().setDelivery(delivery).build());
    }
}
