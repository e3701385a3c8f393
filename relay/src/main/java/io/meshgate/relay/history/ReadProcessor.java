package io.meshgate.relay.history;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceAware;
import com.hazelcast.map.EntryProcessor;

import java.time.Clock;
import java.util.Map;

/**
 * Reads a range of a channel's history on the owner, without copying the whole state over the network. A barrier:
 * it completes only once the backup holds everything it returns (see {@link BarrierBackupProcessor}). Which messages
 * are past {@code ttlMs} is judged by the owner's member clock ({@link HistoryClock}), the clock that stamped them.
 */
final class ReadProcessor implements EntryProcessor<String, ChannelState, Range>, HazelcastInstanceAware {
    private static final long serialVersionUID = 1L;

    private final long afterSeq;
    private final int maxMessages;
    private final String epochIfNew;
    private final long ttlMs;
    private final boolean raw;

    private transient Clock clock;

    ReadProcessor(long afterSeq, int maxMessages, String epochIfNew, long ttlMs, boolean raw) {
        this.raw = raw;
        this.afterSeq = afterSeq;
        this.maxMessages = maxMessages;
        this.epochIfNew = epochIfNew;
        this.ttlMs = ttlMs;
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
            return Range.empty(epochIfNew);
        }
        return state.read(Math.max(afterSeq, 0), maxMessages, ttlMs, clock.millis(), raw);
    }

    @Override
    public EntryProcessor<String, ChannelState, Range> getBackupProcessor() {
        return new BarrierBackupProcessor<>();
    }
}
