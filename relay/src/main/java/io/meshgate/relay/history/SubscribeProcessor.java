package io.meshgate.relay.history;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceAware;
import com.hazelcast.map.EntryProcessor;

import java.time.Clock;
import java.util.Map;
import java.util.UUID;

/**
 * Adds (or removes) a member's route for a channel and reads the channel in the same step. Adding the route and
 * reading the head atomically is what makes subscribe race-free: every message with a larger seq than the head
 * returned here is sequenced after the route exists, so it is fanned out to this member. The read tells time by the
 * owner's member clock ({@link HistoryClock}), like {@link ReadProcessor}.
 */
final class SubscribeProcessor implements EntryProcessor<String, ChannelState, Range>, HazelcastInstanceAware {
    private static final long serialVersionUID = 1L;

    private final UUID member;
    private final boolean add;
    private final long afterSeq;
    private final int maxMessages;
    private final String epochIfNew;
    private final HistoryLimits limits;

    private transient boolean changed;
    private transient Clock clock;

    SubscribeProcessor(UUID member, boolean add, long afterSeq, int maxMessages, String epochIfNew,
                       HistoryLimits limits) {
        this.member = member;
        this.add = add;
        this.afterSeq = afterSeq;
        this.maxMessages = maxMessages;
        this.epochIfNew = epochIfNew;
        this.limits = limits;
    }

    /** On the partition owner, before {@link #process}: the member whose clock the read tells time by. */
    @Override
    public void setHazelcastInstance(HazelcastInstance member) {
        this.clock = HistoryClock.of(member);
    }

    @Override
    public Range process(Map.Entry<String, ChannelState> entry) {
        ChannelState state = entry.getValue();
        if (state == null) {
            if (!add) {
                return Range.empty(epochIfNew);
            }
            state = new ChannelState(epochIfNew);
        }
        changed = add ? state.addRoute(member) : state.removeRoute(member);
        Range range = state.read(Math.max(afterSeq, 0), maxMessages, limits.ttlMs(), clock.millis());
        if (changed) {
            // The last subscriber of a channel that never had a message leaves: nothing is left to keep.
            entry.setValue(!add && state.isIdle() ? null : state);
        }
        return range;
    }

    @Override
    public EntryProcessor<String, ChannelState, Range> getBackupProcessor() {
        // Unchanged, it is still a read: a barrier, so the head it returned is durable (BarrierBackupProcessor).
        return changed ? new RouteBackupProcessor<>(member, add, epochIfNew) : new BarrierBackupProcessor<>();
    }
}
