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
    private final ChannelStore store;
    private final RegionFanOut fanOut;
    private final Replication replication;
    private final Executor completions;
    private final int maxBatch;
    private final int maxQueuedPerChannel;
    private final ConcurrentHashMap<String, Batcher> batchers = new ConcurrentHashMap<>();
    private final Counter overflows;
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
        if (batch.isEmpty()) {
            return;
        }
        batchSizes.record(batch.size());
        List<PublishRequest> requests = new ArrayList<>(batch.size());
        for (Pending p : batch) {
            requests.add(p.request);
        }
        boolean awaitStore = replication.awaitsStore(batcher.channel);
        CompletionStage<SequenceResult> sequenced;
        try {
            sequenced = store.sequence(batcher.channel, requests, !awaitStore);
        } catch (RuntimeException e) {
            // Hazelcast may refuse before it returns a future (shutting down): fail the batch, never wedge the queue.
            sequenced = CompletableFuture.failedFuture(e);
        }
        sequenced.thenComposeAsync(result -> deliver(batcher.channel, result), completions)
                .whenCompleteAsync((result, failure) -> {
                    try {
                        if (failure != null) {
                            Throwable cause = failure instanceof java.util.concurrent.CompletionException
                                    && failure.getCause() != null ? failure.getCause() : failure;
                            SequencerUnavailableException unavailable = new SequencerUnavailableException(
                                    "sequencing failed: " + cause.getMessage(), cause);
                            batch.forEach(p -> p.result.completeExceptionally(unavailable));
                        } else {
                            for (int i = 0; i < batch.size(); i++) {
                                batch.get(i).result.complete(result.outcomes().get(i));
                            }
                        }
                    } finally {
                        if (batcher.finishBatch()) {
                            sendNext(batcher);
                        } else {
                            batchers.remove(batcher.channel, batcher);
                        }
                    }
                }, completions);
    }

    /**
     * Fans out what may be delivered and completes once the outcomes may be acked: at once when the messages are
     * durable, else once another region stored them and the durable mark was raised past every outcome.
     */
    private CompletionStage<SequenceResult> deliver(String channel, SequenceResult result) {
        List<Message> messages = toDeliver(result);
        if (result.durable() >= result.highestSeq()) {
            fanOut.send(channel, messages, result.routes());
            replication.send(channel, messages);
            return CompletableFuture.completedFuture(result);
        }
        Replication.Sent sent = replication.send(channel, messages);
        return sent.stored()
                .thenCompose(storedThrough -> store.markDurable(channel, storedThrough))
                .thenApplyAsync(durable -> {
                    fanOut.send(channel, durable.newlyDurable(), durable.routes());
                    replication.sendToLateInterest(channel, durable.newlyDurable(), sent.sentTo());
                    if (durable.durable() < result.highestSeq()) {
                        throw new SequencerUnavailableException("another region stored only up to seq "
                                + durable.durable() + " of " + result.highestSeq(), null);
                    }
                    return result;
                }, completions);
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

    /** One channel's queue at this node. Guarded by its own monitor; at most one batch in flight. */
    private final class Batcher {
        private final String channel;
        private final ArrayDeque<Pending> queue = new ArrayDeque<>();
        private boolean inFlight;
        private boolean retired;

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
            if (inFlight) {
                return Offer.QUEUED;
            }
            inFlight = true;
            return Offer.START;
        }

        synchronized List<Pending> take(int max) {
            List<Pending> out = new ArrayList<>(Math.min(max, queue.size()));
            while (out.size() < max && !queue.isEmpty()) {
                out.add(queue.removeFirst());
            }
            return out;
        }

        /** Returns true when another batch should go now; otherwise retires this batcher. */
        synchronized boolean finishBatch() {
            if (!queue.isEmpty()) {
                return true;
            }
            inFlight = false;
            retired = true;
            return false;
        }
    }
}
