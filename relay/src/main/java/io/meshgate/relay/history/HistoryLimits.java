package io.meshgate.relay.history;

import java.io.Serializable;

/**
 * Bounds of one channel's stored state. History is trimmed by count, age and bytes, whichever bites first; ids
 * are remembered for dedup at least {@code dedupWindowMs} even after their message left history (protocol G4
 * promises at least 5 minutes), up to {@code maxDedupIds} per channel, past which the oldest ids are forgotten
 * early (so a flood of distinct ids cannot grow memory without bound). {@code maxChannels} caps how many channels
 * the region holds at all (0: no cap; see {@link ChannelCap}).
 */
public record HistoryLimits(int maxMessages, long ttlMs, long maxBytes, long dedupWindowMs, int maxDedupIds,
                            int maxChannels) implements Serializable {

    public static final int DEFAULT_MAX_CHANNELS = 100_000;

    public static final HistoryLimits DEFAULTS =
            new HistoryLimits(1000, 600_000, 8L * 1024 * 1024, 300_000, 100_000);

    /** Per-channel bounds with the default region channel cap. */
    public HistoryLimits(int maxMessages, long ttlMs, long maxBytes, long dedupWindowMs, int maxDedupIds) {
        this(maxMessages, ttlMs, maxBytes, dedupWindowMs, maxDedupIds, DEFAULT_MAX_CHANNELS);
    }

    public HistoryLimits withMaxChannels(int max) {
        return new HistoryLimits(maxMessages, ttlMs, maxBytes, dedupWindowMs, maxDedupIds, max);
    }

    public HistoryLimits {
        if (maxChannels < 0) {
            throw new IllegalArgumentException("history.maxChannels must be at least 0 (0: no cap), was " + maxChannels);
        }
        if (maxMessages < 1) {
            throw new IllegalArgumentException("history.maxMessages must be at least 1, was " + maxMessages);
        }
        if (ttlMs < 1000) {
            throw new IllegalArgumentException("history.ttlMs must be at least 1000, was " + ttlMs);
        }
        if (maxBytes < 64 * 1024) {
            throw new IllegalArgumentException("history.maxBytes must be at least 65536, was " + maxBytes);
        }
        if (dedupWindowMs < 300_000) {
            throw new IllegalArgumentException(
                    "history.dedupWindowMs must be at least 300000 (protocol G4), was " + dedupWindowMs);
        }
        if (maxDedupIds < maxMessages) {
            throw new IllegalArgumentException("history.maxDedupIds must be at least history.maxMessages ("
                    + maxMessages + "), was " + maxDedupIds);
        }
    }
}
