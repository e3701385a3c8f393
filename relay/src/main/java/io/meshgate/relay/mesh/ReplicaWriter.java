package io.meshgate.relay.mesh;

import io.meshgate.relay.channel.Message;
import io.meshgate.relay.fanout.DeliveryCodec;
import io.meshgate.relay.fanout.RegionFanOut;
import io.meshgate.relay.history.ChannelStore;
import io.meshgate.relay.history.ReplicaResult;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Stores the messages other regions' homes send here, one channel at a time and in arrival order, and fans them
 * out to this region's nodes with subscribers. History stays contiguous: when messages do not follow the replica's
 * head (a link dropped frames, or interest began after a batch was sent), the missing range is fetched first:
 * from the home, and when the home no longer holds all of it (it restarted empty, or trimmed it), from any other
 * region that does. A region gives up a hole (resets past it, and its readers get {@code gap}) only when no
 * reachable region holds the range. At most {@code maxPending} stores wait at once; a delivery beyond that is dropped and its channel
 * catches up at the next message or link sync, like any lost frame.
 */
final class ReplicaWriter {
    private static final Logger LOG = LoggerFactory.getLogger(ReplicaWriter.class);
    private static final int FETCH_PAGE = 1000;

    private final ChannelStore store;
    private final RegionFanOut fanOut;
    private final Links links;
    private final java.util.Collection<String> peers;
    private final int maxPending;
    private final AtomicInteger pending = new AtomicInteger();
    private final ConcurrentHashMap<String, CompletableFuture<ReplicaResult>> tails = new ConcurrentHashMap<>();
    private final Counter dropped;
    private final Counter fetched;

    ReplicaWriter(ChannelStore store, RegionFanOut fanOut, Links links, java.util.Collection<String> peers,
                  int maxPending, MeterRegistry meters) {
        this.peers = List.copyOf(peers);
        this.store = store;
        this.fanOut = fanOut;
        this.links = links;
        this.maxPending = maxPending;
        this.dropped = meters.counter("meshgate.mesh.replica.dropped");
        this.fetched = meters.counter("meshgate.mesh.replica.fetches");
    }

    /**
     * Stores messages that {@code home} sequenced in {@code term}, after the ones already queued for the channel;
     * completes with the result (its head: everything up to it is held here; or refused by a newer home's fence),
     * or null when the delivery was dropped.
     */
    CompletableFuture<ReplicaResult> store(String home, String channel, List<Message> messages, boolean resetIfHole,
                                           long term) {
        if (pending.incrementAndGet() > maxPending) {
            pending.decrementAndGet();
            dropped.increment();
            return CompletableFuture.completedFuture(null);
        }
        CompletableFuture<ReplicaResult> next = new CompletableFuture<>();
        CompletableFuture<ReplicaResult> previous = tails.put(channel, next);
        CompletableFuture<?> after = previous == null ? CompletableFuture.completedFuture(null) : previous;
        after.handle((ignored, failure) -> null)
                .thenCompose(ignored -> apply(home, channel, messages, resetIfHole, true, term))
                .whenComplete((result, failure) -> {
                    pending.decrementAndGet();
                    tails.remove(channel, next);
                    if (failure != null) {
                        LOG.debug("storing {} from {} failed: {}", channel, home, failure.toString());
                        next.complete(null);
                    } else {
                        next.complete(result);
                    }
                });
        return next;
    }

    private CompletableFuture<ReplicaResult> apply(String home, String channel, List<Message> messages,
                                                   boolean resetIfHole, boolean mayFetch, long term) {
        return store.replicate(channel, messages, resetIfHole, term).toCompletableFuture().thenCompose(result -> {
            deliverLocally(channel, result);
            if (!result.hasHole() || !mayFetch) {
                return CompletableFuture.completedFuture(result);
            }
            fetched.increment();
            return fetchHole(home, channel, result.missingAfter()).thenCompose(reply -> {
                List<Message> missing = DeliveryCodec.fromProto(reply.getMessagesList());
                boolean reset = missing.isEmpty() || needsReset(missing, result.missingAfter());
                // Durable messages are final under any later term; those from another region join the home's log.
                return apply(home, channel, missing, reset, false, Math.max(term, reply.getTerm()));
            }).thenCompose(filled -> apply(home, channel, messages, false, false, term));
        });
    }

    /** The messages after {@code after}: from the home, else from the first other region that holds them all. */
    private CompletableFuture<io.meshgate.proto.relay.RangeReply> fetchHole(String home, String channel, long after) {
        return links.range(home, channel, after, FETCH_PAGE)
                .handle((reply, failure) -> reply)
                .thenCompose(fromHome -> {
                    if (fromHome != null && startsAfter(fromHome, after)) {
                        return CompletableFuture.completedFuture(fromHome);
                    }
                    return fromOthers(home, channel, after, peers.iterator(), fromHome);
                });
    }

    private CompletableFuture<io.meshgate.proto.relay.RangeReply> fromOthers(
            String home, String channel, long after, java.util.Iterator<String> next,
            io.meshgate.proto.relay.RangeReply best) {
        while (next.hasNext()) {
            String region = next.next();
            if (region.equals(home) || !links.reachable(region)) {
                continue;
            }
            return links.range(region, channel, after, FETCH_PAGE, false).handle((reply, failure) -> reply)
                    .thenCompose(reply -> reply != null && startsAfter(reply, after)
                            ? CompletableFuture.completedFuture(reply)
                            : fromOthers(home, channel, after, next, best != null ? best : reply));
        }
        return best != null ? CompletableFuture.completedFuture(best)
                : CompletableFuture.failedFuture(new MeshUnavailableException("no region holds " + channel
                + " after seq " + after));
    }

    /** True when the reply continues right after {@code after} with at least one message. */
    private static boolean startsAfter(io.meshgate.proto.relay.RangeReply reply, long after) {
        return reply.getMessagesCount() > 0 && reply.getMessages(0).getPosition().getSeq() == after + 1;
    }

    private static boolean needsReset(List<Message> fetchedMessages, long after) {
        return fetchedMessages.get(0).seq() != after + 1;
    }

    private void deliverLocally(String channel, ReplicaResult result) {
        if (!result.appended().isEmpty()) {
            fanOut.send(channel, result.appended(), result.routes());
        }
    }
}
