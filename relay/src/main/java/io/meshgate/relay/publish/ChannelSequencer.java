package io.meshgate.relay.publish;

import io.meshgate.relay.channel.Message;
import io.meshgate.relay.fanout.RegionFanOut;
import io.meshgate.relay.history.ChannelStore;
import io.meshgate.relay.history.PublishRequest;
import io.meshgate.relay.history.SequenceResult;
import io.meshgate.relay.history.Sequenced;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;

/**
 * Publishes from this node, batched per channel. A publish completes after the message is stored on the owner and
 * its backup and has been handed to fan-out, so an ack always follows delivery's start (never the reverse).
 *
 * <p>Bounded: at most {@code maxQueuedPerChannel} publishes wait per channel on this node; beyond that a publish
 * fails at once with {@link SequencerUnavailableException} and uses no seq.
 */
public final class ChannelSequencer implements Publisher {
    /** Sequenced batches per channel and node that may wait for another region's Stored at once. */
    static final int MAX_AWAITING_STORE = 8;

    private final ChannelStore store;
    private final RegionFanOut fanOut;
    private final Replication replication;
    private final Executor completions;
    private final int maxBatch;
    private final int maxQueuedPerChannel;
    private final ConcurrentHashMap<String, Batcher> batchers = new ConcurrentHashMap<>();
    private final Counter overflows;
    private final Counter retentionOverflows;
    private final DistributionSummary batchSizes;

    public ChannelSequencer(ChannelStore store, RegionFanOut fanOut, Executor completions, int maxBatch,
                            int maxQueuedPerChannel, MeterRegistry meters) {
        this(store, fanOut, Replication.NONE, completions, maxBatch, maxQueuedPerChannel, meters);
    }

    public ChannelSequencer(ChannelStore store, RegionFanOut fanOut, Replication replication, Executor completions,
                            int maxBatch, int maxQueuedPerChannel, MeterRegistry meters) {
        this.store = store;
        this.fanOut = fanOut;
        this.replication = replication;
        this.completions = completions;
        this.maxBatch = maxBatch;
        this.maxQueuedPerChannel = maxQueuedPerChannel;
        this.overflows = meters.counter("meshgate.publish.queue.overflow");
        this.retentionOverflows = Counter.builder("meshgate.history.retention.overflow")
                .description("messages a lagging region still needed that the home's history dropped anyway,"
                        + " because it reached history.maxRetainedMessages or history.maxBytes")
                .register(meters);
        this.batchSizes = DistributionSummary.builder("meshgate.publish.batch.size").register(meters);
    }

    @Override
    public CompletableFuture<Sequenced> publish(String channel, PublishRequest request) {
        Pending pending = new Pending(request, new CompletableFuture<>());
        while (true) {
            Batcher batcher = batchers.computeIfAbsent(channel, Batcher::new);
            switch (batcher.offer(pending)) {
                case QUEUED:
                    return pending.result;
                case START:
                    sendNext(batcher);
                    return pending.result;
                case FULL:
                    overflows.increment();
                    pending.result.completeExceptionally(new SequencerUnavailableException(
                            "too many publishes waiting on channel " + channel + " at this node", null));
                    return pending.result;
                case RETIRED:
                    continue;
                default:
                    throw new IllegalStateException();
            }
        }
    }

    private void sendNext(Batcher batcher) {
        List<Pending> batch = batcher.take(maxBatch);
        batchSizes.record(batch.size());
        List<PublishRequest> requests = new ArrayList<>(batch.size());
        for (Pending p : batch) {
            requests.add(p.request);
        }
        boolean awaitStore = replication.awaitsStore(batcher.channel);
        String channel = batcher.channel;
        CompletionStage<SequenceResult> sequenced;
        try {
            String home = replication.homeRegion();
            long floor = replication.retentionFloor(channel);
            sequenced = store.sequence(channel, requests, !awaitStore, home, floor)
                    .thenCompose(result -> !result.needsReconcile() ? CompletableFuture.completedFuture(result)
                            // Still this batch's sequencing step, so nothing of the channel overtakes it.
                            : replication.reconcile(channel)
                            .thenCompose(reconciled -> store.sequence(channel, requests, !awaitStore, home, floor)))
                    .thenApply(result -> {
                        if (result.needsReconcile()) {
                            throw new SequencerUnavailableException("a newer home took channel " + channel
                                    + " over while this region reconciled it", null);
                        }
                        if (result.retentionOverflow() > 0) {
                            retentionOverflows.increment(result.retentionOverflow());
                        }
                        return result;
                    });
        } catch (RuntimeException e) {
            // Hazelcast may refuse before it returns a future (shutting down): fail the batch, never wedge the queue.
            sequenced = CompletableFuture.failedFuture(e);
        }
        sequenced.whenCompleteAsync((result, failure) -> {
            CompletionStage<SequenceResult> acked;
            boolean awaiting = false;
            try {
                if (failure != null) {
                    acked = CompletableFuture.failedFuture(failure);
                } else if (result.durable() >= result.highestSeq()) {
                    acked = deliverDurable(batcher.channel, result);
                } else {
                    acked = awaitDurable(batcher, result);
                    awaiting = true;
                }
            } catch (RuntimeException e) {
                acked = CompletableFuture.failedFuture(e);
            }
            // The next batch is sequenced now, while this one may still wait for another region's Stored.
            next(batcher, batcher.sequenced(awaiting));
            boolean countedAsAwaiting = awaiting;
            acked.whenCompleteAsync((done, ackFailure) -> {
                try {
                    complete(batch, done, ackFailure);
                } finally {
                    if (countedAsAwaiting) {
                        next(batcher, batcher.durable());
                    }
                }
            }, completions);
        }, completions);
    }

    private void next(Batcher batcher, Step step) {
        if (step == Step.SEND) {
            sendNext(batcher);
        } else if (step == Step.RETIRE) {
            batchers.remove(batcher.channel, batcher);
        }
    }

    private static void complete(List<Pending> batch, SequenceResult result, Throwable failure) {
        if (failure != null) {
            Throwable cause = failure instanceof java.util.concurrent.CompletionException
                    && failure.getCause() != null ? failure.getCause() : failure;
            SequencerUnavailableException unavailable = cause instanceof SequencerUnavailableException u ? u
                    : new SequencerUnavailableException("sequencing failed: " + cause.getMessage(), cause);
            batch.forEach(p -> p.result.completeExceptionally(unavailable));
        } else {
            for (int i = 0; i < batch.size(); i++) {
                batch.get(i).result.complete(result.outcomes().get(i));
            }
        }
    }

    private CompletionStage<SequenceResult> deliverDurable(String channel, SequenceResult result) {
        List<Message> messages = toDeliver(result);
        fanOut.send(channel, messages, result.routes());
        replication.send(channel, result.term(), messages);
        return CompletableFuture.completedFuture(result);
    }

    /**
     * Sends the batch to other regions at once (in seq order, as batches are sequenced one at a time), then, after
     * the channel's previous batch finished waiting, raises the durable mark to what another region stored, fans
     * out what became durable and completes once the mark passed every outcome. Waiting in batch order keeps
     * fan-out in seq order; the mark is cumulative, so a later batch's Stored may also cover an earlier batch.
     */
    private CompletionStage<SequenceResult> awaitDurable(Batcher batcher, SequenceResult result) {
        String channel = batcher.channel;
        Replication.Sent sent = replication.send(channel, result.term(), toDeliver(result));
        CompletableFuture<Void> finished = new CompletableFuture<>();
        CompletableFuture<Void> previous = batcher.swapDurableTail(finished);
        CompletableFuture<SequenceResult> acked = previous
                .thenCompose(ignored -> sent.stored())
                .thenCompose(storedThrough -> store.markDurable(channel, storedThrough))
                .thenApplyAsync(durable -> {
                    fanOut.send(channel, durable.newlyDurable(), durable.routes());
                    replication.sendToLateInterest(channel, result.term(), durable.newlyDurable(), sent.sentTo());
                    if (durable.durable() < result.highestSeq()) {
                        throw new SequencerUnavailableException("another region stored only up to seq "
                                + durable.durable() + " of " + result.highestSeq(), null);
                    }
                    return result;
                }, completions)
                .toCompletableFuture();
        acked.whenComplete((r, f) -> finished.complete(null));
        return acked;
    }

    /** New messages and re-sent duplicates still in history, in seq order, each once. */
    private static List<Message> toDeliver(SequenceResult result) {
        TreeMap<Long, Message> bySeq = new TreeMap<>();
        for (Sequenced outcome : result.outcomes()) {
            if (outcome.message() != null) {
                bySeq.putIfAbsent(outcome.message().seq(), outcome.message());
            }
        }
        return new ArrayList<>(bySeq.values());
    }

    private record Pending(PublishRequest request, CompletableFuture<Sequenced> result) {
    }

    private enum Offer { QUEUED, START, FULL, RETIRED }

    private enum Step { SEND, WAIT, RETIRE }

    /**
     * One channel's queue at this node. Guarded by its own monitor. One batch is sequenced at a time (G6: the
     * store sees a node's publishes in queue order); up to {@link #MAX_AWAITING_STORE} sequenced batches may wait
     * for another region's Stored at once, so under region durability the round trip to that region no longer
     * holds back the next batch, while what waits stays bounded.
     */
    private final class Batcher {
        private final String channel;
        private final ArrayDeque<Pending> queue = new ArrayDeque<>();
        private boolean sequencing;
        private int awaitingStore;
        private boolean retired;
        private CompletableFuture<Void> durableTail = CompletableFuture.completedFuture(null);

        Batcher(String channel) {
            this.channel = channel;
        }

        synchronized Offer offer(Pending pending) {
            if (retired) {
                return Offer.RETIRED;
            }
            if (queue.size() >= maxQueuedPerChannel) {
                return Offer.FULL;
            }
            queue.addLast(pending);
            if (sequencing || awaitingStore >= MAX_AWAITING_STORE) {
                return Offer.QUEUED;
            }
            sequencing = true;
            return Offer.START;
        }

        synchronized List<Pending> take(int max) {
            List<Pending> out = new ArrayList<>(Math.min(max, queue.size()));
            while (out.size() < max && !queue.isEmpty()) {
                out.add(queue.removeFirst());
            }
            return out;
        }

        synchronized CompletableFuture<Void> swapDurableTail(CompletableFuture<Void> next) {
            CompletableFuture<Void> previous = durableTail;
            durableTail = next;
            return previous;
        }

        /** The batch in sequencing is sequenced; {@code awaiting}: it now waits for another region's Stored. */
        synchronized Step sequenced(boolean awaiting) {
            sequencing = false;
            if (awaiting) {
                awaitingStore++;
            }
            return nextStep();
        }

        /** A batch that waited for another region's Stored is done (acked or failed). */
        synchronized Step durable() {
            awaitingStore--;
            return nextStep();
        }

        private Step nextStep() {
            if (sequencing) {
                return Step.WAIT;
            }
            if (!queue.isEmpty()) {
                if (awaitingStore >= MAX_AWAITING_STORE) {
                    return Step.WAIT;
                }
                sequencing = true;
                return Step.SEND;
            }
            if (awaitingStore == 0) {
                retired = true;
                return Step.RETIRE;
            }
            return Step.WAIT;
        }
    }
}
