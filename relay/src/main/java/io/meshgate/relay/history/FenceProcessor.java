package io.meshgate.relay.history;

import com.hazelcast.map.EntryProcessor;

import java.util.Map;

/**
 * One region's part in reconciling a channel: promises the reconciling region to refuse deliveries of any term
 * below {@code term} and, in the same atomic step, reads what the region holds (its undurable tail included). A
 * message sequenced here before the promise is in the answer; one sequenced after it can no longer become durable
 * anywhere the promise was made. A region that has no state for the channel keeps the promise in a new, empty one.
 * Deterministic, so the backup runs the same processor.
 */
final class FenceProcessor implements EntryProcessor<String, ChannelState, FenceResult> {
    private static final long serialVersionUID = 1L;
    /**
     * Ids a region hands a reconciling home at most, the most recent: a retry of an id older than that many
     * publishes on the channel, arriving after a change of home, may be sequenced again. Keeps the answer well
     * below gRPC's message size limit.
     */
    public static final int MAX_SEEN_IDS = 10_000;

    private final long term;
    private final String region;
    private final int maxMessages;
    private final String epochIfNew;
    private final long ttlMs;
    private final long now;

    FenceProcessor(long term, String region, int maxMessages, String epochIfNew, long ttlMs, long now) {
        this.term = term;
        this.region = region;
        this.maxMessages = maxMessages;
        this.epochIfNew = epochIfNew;
        this.ttlMs = ttlMs;
        this.now = now;
    }

    @Override
    public FenceResult process(Map.Entry<String, ChannelState> entry) {
        ChannelState state = entry.getValue();
        if (state == null) {
            state = new ChannelState(epochIfNew);
        }
        boolean granted = state.promiseFence(term, region);
        if (granted) {
            entry.setValue(state);
        }
        Range held = state.read(Math.max(0, state.head() - maxMessages), maxMessages, ttlMs, now, true);
        return new FenceResult(granted, state.fence(), state.durable(), held, state.recentIds(MAX_SEEN_IDS),
                !state.routes().isEmpty());
    }

    @Override
    public EntryProcessor<String, ChannelState, FenceResult> getBackupProcessor() {
        return this;
    }
}
