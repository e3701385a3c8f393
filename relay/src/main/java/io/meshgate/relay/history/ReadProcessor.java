package io.meshgate.relay.history;

import com.hazelcast.map.EntryProcessor;

import java.util.Map;

/**
 * Reads a range of a channel's history on the owner, without copying the whole state over the network. A barrier:
 * it completes only once the backup holds everything it returns (see {@link BarrierBackupProcessor}).
 */
final class ReadProcessor implements EntryProcessor<String, ChannelState, Range> {
    private static final long serialVersionUID = 1L;

    private final long afterSeq;
    private final int maxMessages;
    private final String epochIfNew;
    private final long ttlMs;
    private final boolean raw;

    ReadProcessor(long afterSeq, int maxMessages, String epochIfNew, long ttlMs, boolean raw) {
        this.raw = raw;
        this.afterSeq = afterSeq;
        this.maxMessages = maxMessages;
        this.epochIfNew = epochIfNew;
        this.ttlMs = ttlMs;
    }

    @Override
    public Range process(Map.Entry<String, ChannelState> entry) {
        ChannelState state = entry.getValue();
        if (state == null) {
            return Range.empty(epochIfNew);
        }
        return state.read(Math.max(afterSeq, 0), maxMessages, ttlMs, System.currentTimeMillis(), raw);
    }

    @Override
    public EntryProcessor<String, ChannelState, Range> getBackupProcessor() {
        return new BarrierBackupProcessor<>();
    }
}
