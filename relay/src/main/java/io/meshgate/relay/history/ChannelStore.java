package io.meshgate.relay.history;

import com.hazelcast.config.Config;
import com.hazelcast.config.InMemoryFormat;
import com.hazelcast.config.MapConfig;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;

import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletionStage;

/**
 * The region's channels in Hazelcast: one entry per channel, changed only by entry processors on its owner.
 * All calls are asynchronous; their stages complete on Hazelcast threads, so callers must hand heavy work off.
 */
public final class ChannelStore {
    public static final String MAP_NAME = "meshgate.channels";

    private final IMap<String, ChannelState> channels;
    private final HistoryLimits limits;
    private final String regionEpoch;

    /**
     * @param regionEpoch the epoch given to channels that get their first state in this region's lifetime
     */
    public ChannelStore(HazelcastInstance hazelcast, HistoryLimits limits, String regionEpoch) {
        this.channels = hazelcast.getMap(MAP_NAME);
        this.limits = limits;
        this.regionEpoch = regionEpoch;
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

    /**
     * Sequences publishes in list order; completes once owner and backup hold them. Retried like every call here
     * (see {@link IdempotentRetry}): a second attempt of a batch that did land returns its original positions.
     */
    public CompletionStage<SequenceResult> sequence(String channel, List<PublishRequest> requests) {
        SequenceProcessor processor = new SequenceProcessor(List.copyOf(requests), regionEpoch, limits);
        return IdempotentRetry.call(() -> channels.submitToKey(channel, processor));
    }

    /** Adds a member's route and reads the channel after {@code afterSeq} (use -1 or 0 for "just the head"). */
    public CompletionStage<Range> subscribe(String channel, UUID member, long afterSeq, int maxMessages) {
        return IdempotentRetry.call(() -> channels.submitToKey(channel,
                new SubscribeProcessor(member, true, afterSeq, maxMessages, regionEpoch, limits)));
    }

    public CompletionStage<Range> unsubscribe(String channel, UUID member) {
        return IdempotentRetry.call(() -> channels.submitToKey(channel,
                new SubscribeProcessor(member, false, 0, 0, regionEpoch, limits)));
    }

    /** Reads the messages after {@code afterSeq}, at most {@code maxMessages}, and the channel's head. */
    public CompletionStage<Range> read(String channel, long afterSeq, int maxMessages) {
        return IdempotentRetry.call(() -> channels.submitToKey(channel,
                new ReadProcessor(afterSeq, maxMessages, regionEpoch, limits.ttlMs())));
    }

    /** Drops routes of departed members and expired history, across every channel. Blocking; call off I/O threads. */
    public void forgetMembersAndTrim(Set<UUID> gone) {
        channels.executeOnEntries(new ForgetMembersProcessor(gone, limits, System.currentTimeMillis()));
    }

}
