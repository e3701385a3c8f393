package io.meshgate.relay.history;

import com.hazelcast.config.Config;
import com.hazelcast.config.InMemoryFormat;
import com.hazelcast.config.MapConfig;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletionStage;

/**
 * The region's channels in Hazelcast: one entry per channel, changed only by entry processors on its owner.
 * All calls are asynchronous; their stages complete on Hazelcast threads, so callers must hand heavy work off.
 *
 * <p>Every stored message carries the region's seal ({@link StoreSeal}); every answer that carries stored messages is
 * checked here, on the calling node, before the caller sees it: a message that does not open is missing (a gap in a
 * read, left out of what is fanned out), whoever wrote it and whichever member owns the channel's partition.
 *
 * <p>Time: the steps tell time by the member clock ({@link HistoryClock}) of the member that runs them (stamping,
 * TTL, dedup window); the steps a backup repeats as they are get their {@code now} here, from this node's member
 * clock, so owner and backup apply the same one.
 */
public final class ChannelStore implements ChannelSource {
    public static final String MAP_NAME = "meshgate.channels";

    private static final Logger LOG = LoggerFactory.getLogger(ChannelStore.class);

    private final IMap<String, ChannelState> channels;
    // Both calls sit on every publish's path to its ack; a slow one (a migrating partition, say) is named in the log.
    private final SlowCallLog slowSequence = new SlowCallLog(LOG, "sequencing call to the region's cluster");
    private final SlowCallLog slowMarkDurable = new SlowCallLog(LOG, "durable-mark call to the region's cluster");
    private final HistoryLimits limits;
    private final String regionEpoch;
    private final ChannelCap cap;
    private final StoreSeal seal;
    private final Clock clock;

    /** With the seal and the clock the member registered (see {@link StoreSeal#of}, {@link HistoryClock#of}). */
    public ChannelStore(HazelcastInstance hazelcast, HistoryLimits limits, String regionEpoch) {
        this(hazelcast, limits, regionEpoch, StoreSeal.of(hazelcast), HistoryClock.of(hazelcast));
    }

    /**
     * @param regionEpoch the epoch given to channels that get their first state in this region's lifetime
     * @param seal        seals what this node stores from elsewhere and checks what it reads; the same one the
     *                    member's sequencing steps seal with
     * @param clock       the {@code now} of the steps a backup repeats as they are (fence, adopt, the sweep's
     *                    trim); the same one the member registered as its {@link HistoryClock}
     */
    public ChannelStore(HazelcastInstance hazelcast, HistoryLimits limits, String regionEpoch, StoreSeal seal,
                        Clock clock) {
        this.channels = hazelcast.getMap(MAP_NAME);
        this.limits = limits;
        this.regionEpoch = regionEpoch;
        this.cap = new ChannelCap(channels, limits.maxChannels());
        this.seal = seal;
        this.clock = clock;
    }

    /**
     * Map settings every member must share. OBJECT format lets entry processors change the state in place instead
     * of deserialising a whole history per publish; one synchronous backup means an acked message survives the
     * loss of any one member.
     */
    public static void configure(Config config, int backupCount) {
        MapConfig map = new MapConfig(MAP_NAME)
                .setInMemoryFormat(InMemoryFormat.OBJECT)
                .setBackupCount(backupCount)
                .setAsyncBackupCount(0)
                .setReadBackupData(false)
                .setStatisticsEnabled(true);
        config.addMapConfig(map);
    }

    public HistoryLimits limits() {
        return limits;
    }

    public String regionEpoch() {
        return regionEpoch;
    }

    /** Seals and checks this node's stored messages; counts the forged ones it met. */
    public StoreSeal seal() {
        return seal;
    }

    /**
     * Sequences publishes in list order; completes once owner and backup hold them. Retried like every call here
     * (see {@link IdempotentRetry}): a second attempt of a batch that did land returns its original positions.
     */
    public CompletionStage<SequenceResult> sequence(String channel, List<PublishRequest> requests) {
        return sequence(channel, requests, true);
    }

    /**
     * Like {@link #sequence(String, List)}; with {@code durableNow} false the new messages stay invisible to readers
     * until {@link #markDurable} (another region stored them).
     */
    public CompletionStage<SequenceResult> sequence(String channel, List<PublishRequest> requests,
                                                    boolean durableNow) {
        return sequence(channel, requests, durableNow, null);
    }

    /**
     * Like {@link #sequence(String, List, boolean)}; with {@code homeRegion} set (in a mesh) nothing is sequenced
     * unless that region owns the channel's current term, and the result says
     * {@link SequenceResult#needsReconcile()}: the region must {@link #fence} the other regions and {@link #adopt}
     * the channel first.
     */
    public CompletionStage<SequenceResult> sequence(String channel, List<PublishRequest> requests,
                                                    boolean durableNow, String homeRegion) {
        return sequence(channel, requests, durableNow, homeRegion, ChannelState.NO_RETENTION_FLOOR);
    }

    /**
     * Like {@link #sequence(String, List, boolean, String)}; {@code retentionFloor} is the highest seq every peer
     * region with interest has stored: history keeps the messages above it beyond {@code history.maxMessages}, up
     * to {@code history.maxRetainedMessages} (see {@link ChannelState#retentionFloor}).
     */
    public CompletionStage<SequenceResult> sequence(String channel, List<PublishRequest> requests,
                                                    boolean durableNow, String homeRegion, long retentionFloor) {
        SequenceProcessor processor = new SequenceProcessor(List.copyOf(requests), regionEpoch, limits, durableNow,
                homeRegion, retentionFloor);
        long started = System.nanoTime();
        return cap.admit(channel).thenCompose(admitted -> IdempotentRetry.call(
                () -> channels.submitToKey(channel, processor))).thenApply(result -> seal.check(channel, result))
                .whenComplete((result, failure) -> slowSequence.done(started, channel,
                        () -> failure == null ? requests.size() + " publish(es)" : failure.toString()));
    }

    /**
     * Promises {@code reconciler} to refuse deliveries below {@code term} and reads what this region holds of the
     * channel, undurable messages included, at most {@code maxMessages} of them (see {@link FenceProcessor}).
     */
    public CompletionStage<FenceResult> fence(String channel, long term, String reconciler, int maxMessages) {
        FenceProcessor processor = new FenceProcessor(term, reconciler, maxMessages, regionEpoch, limits.ttlMs(),
                clock.millis());
        return IdempotentRetry.<FenceResult>call(() -> channels.submitToKey(channel, processor))
                .thenApply(fenced -> {
                    // The processor read after max(0, head - maxMessages), and a raw read's head is the head.
                    Range held = seal.check(channel, Math.max(0, fenced.held().head() - maxMessages), fenced.held());
                    return held == fenced.held() ? fenced : new FenceResult(fenced.granted(), fenced.fence(),
                            fenced.durable(), held, fenced.seenIds(), fenced.interested());
                });
    }

    /**
     * Makes {@code region} the channel's home at {@code term} with the reconciled log (see {@link AdoptProcessor})
     * and the ids the answering regions had sequenced, so none of them is sequenced again;
     * completes with null when a newer home fenced this region meanwhile.
     */
    public CompletionStage<Adopted> adopt(String channel, long term, String region, String epoch,
                                          List<io.meshgate.relay.channel.Message> tail, long head,
                                          long durableThrough, List<SeenId> seenIds) {
        // The tail comes from the regions' answers, sealed (if at all) under their own secrets: sealed here for this one.
        AdoptProcessor processor = new AdoptProcessor(term, region, epoch, seal.sealAll(tail), head, durableThrough,
                seenIds, limits, clock.millis());
        return IdempotentRetry.<Adopted>call(() -> channels.submitToKey(channel, processor)).thenApply(adopted ->
                adopted == null ? null : new Adopted(seal.check(channel, adopted.newlyVisible()), adopted.routes()));
    }

    /** Another region refused this one's delivery with {@code fence}: stop sequencing the channel until reconciled. */
    public CompletionStage<Boolean> learnFence(String channel, long fence) {
        return IdempotentRetry.call(() -> channels.submitToKey(channel, new LearnFenceProcessor(fence)));
    }

    /** Raises the durable mark to {@code upTo}; returns what became deliverable and the routes to deliver it to. */
    public CompletionStage<DurableResult> markDurable(String channel, long upTo) {
        long started = System.nanoTime();
        return IdempotentRetry.<DurableResult>call(() -> channels.submitToKey(channel, new MarkDurableProcessor(upTo)))
                .thenApply(durable -> new DurableResult(durable.durable(), seal.check(channel, durable.newlyDurable()),
                        durable.routes()))
                .whenComplete((durable, failure) -> slowMarkDurable.done(started, channel,
                        () -> failure == null ? "up to seq " + upTo : failure.toString()));
    }

    /**
     * Stores messages of a channel homed in another region, sequenced there in {@code term} (see
     * {@link ReplicateProcessor}). Idempotent: held seqs are skipped, so a retried call changes nothing twice. The
     * messages came over the mesh's authenticated link; they are sealed here, for this region, before they are stored.
     */
    public CompletionStage<ReplicaResult> replicate(String channel, List<io.meshgate.relay.channel.Message> messages,
                                                    boolean resetIfHole, long term) {
        ReplicateProcessor processor = new ReplicateProcessor(seal.sealAll(messages), resetIfHole, limits, term);
        return IdempotentRetry.<ReplicaResult>call(() -> channels.submitToKey(channel, processor)).thenApply(r ->
                new ReplicaResult(r.epoch(), r.head(), seal.check(channel, r.appended()), r.routes(), r.missingAfter(),
                        r.refusedByFence()));
    }

    /**
     * Adds a member's route and reads the channel after {@code afterSeq} (use -1 or 0 for "just the head"). Fails
     * with {@link ChannelLimitException} for a new channel when the region holds {@code history.maxChannels}.
     */
    @Override
    public CompletionStage<Range> subscribe(String channel, UUID member, long afterSeq, int maxMessages) {
        return cap.admit(channel).thenCompose(admitted -> IdempotentRetry.<Range>call(() -> channels.submitToKey(channel,
                new SubscribeProcessor(member, true, afterSeq, maxMessages, regionEpoch, limits))))
                .thenApply(range -> seal.check(channel, afterSeq, range));
    }

    @Override
    public CompletionStage<Range> unsubscribe(String channel, UUID member) {
        return IdempotentRetry.<Range>call(() -> channels.submitToKey(channel,
                new SubscribeProcessor(member, false, 0, 0, regionEpoch, limits)))
                .thenApply(range -> seal.check(channel, 0, range));
    }

    /** Reads the messages after {@code afterSeq}, at most {@code maxMessages}, and the channel's head. */
    @Override
    public CompletionStage<Range> read(String channel, long afterSeq, int maxMessages) {
        return IdempotentRetry.<Range>call(() -> channels.submitToKey(channel,
                new ReadProcessor(afterSeq, maxMessages, regionEpoch, limits.ttlMs(), false)))
                .thenApply(range -> seal.check(channel, afterSeq, range));
    }

    /** Like {@link #read}, including messages not yet durable: for another region that is about to store them. */
    public CompletionStage<Range> readRaw(String channel, long afterSeq, int maxMessages) {
        return IdempotentRetry.<Range>call(() -> channels.submitToKey(channel,
                new ReadProcessor(afterSeq, maxMessages, regionEpoch, limits.ttlMs(), true)))
                .thenApply(range -> seal.check(channel, afterSeq, range));
    }

    /** Whether any member of the region still has subscribers of the channel. */
    public CompletionStage<Boolean> hasRoutes(String channel) {
        return IdempotentRetry.call(() -> channels.submitToKey(channel, new HasRoutesProcessor()));
    }

    /** The channels some member of the region has subscribers of: this region's interest. Blocking. */
    public Set<String> channelsWithRoutes() {
        return channels.keySet(new HasRoutesPredicate());
    }

    /**
     * How long a channel that never had a message keeps what a reconciliation left before a sweep drops it (see
     * {@link ChannelState#sweepEmptyReconciled}): twelve request timeouts at the default, two sweeps at least.
     */
    public static final long EMPTY_RECONCILED_MIN_AGE_MS = 60_000;

    /**
     * Removes every channel whose state holds nothing worth keeping (see {@link ChannelState#isIdle} and
     * {@link ChannelState#sweepEmptyReconciled}). Blocking.
     */
    public int evictIdle() {
        return channels.executeOnEntries(new EvictIdleProcessor(EMPTY_RECONCILED_MIN_AGE_MS)).values().stream()
                .mapToInt(removed -> Boolean.TRUE.equals(removed) ? 1 : 0).sum();
    }

    /** Channels whose state this region holds. A cluster-wide count: call off I/O threads, not per request. */
    public int channelCount() {
        return channels.size();
    }

    /**
     * Recounts the channels for the {@code history.maxChannels} check; the region's housekeeping thread calls it
     * every second. Blocking (a cluster-wide count).
     */
    public int recountForCap() {
        return cap.recount();
    }

    /** Drops routes of departed members and expired history, across every channel. Blocking; call off I/O threads. */
    public void forgetMembersAndTrim(Set<UUID> gone) {
        channels.executeOnEntries(new ForgetMembersProcessor(gone, limits, clock.millis()));
    }

}
