package io.meshgate.relay.history;

import java.io.Serializable;

/**
 * Bounds of one channel's stored state. History is trimmed by count, age and bytes, whichever bites first; ids
 * are remembered for dedup at least {@code dedupWindowMs} even after their message left history (protocol G4
 * promises at least 5 minutes), up to {@code maxDedupIds} per channel, past which the oldest ids are forgotten
 * early (so a flood of distinct ids cannot grow memory without bound). {@code maxChannels} caps how many channels
 * the region holds at all (0: no cap; see {@link ChannelCap}).
 *
 * <p>The count bound stretches for a lagging region: the home keeps the messages above a channel's retention floor
 * (what a peer region with interest has not stored yet, see {@link ChannelState#trim}) beyond {@code maxMessages},
 * up to {@code maxRetainedMessages}, a hard bound; age and bytes bound it as always. {@code maxRetainedMessages}
 * is at most {@code maxDedupIds}, so every message history holds keeps its id for dedup (G4).
 */
public record HistoryLimits(int maxMessages, long ttlMs, long maxBytes, long dedupWindowMs, int maxDedupIds,
                            int maxChannels, int maxRetainedMessages) implements Serializable {

    public static final int DEFAULT_MAX_CHANNELS = 100_000;
    /** The default {@code maxRetainedMessages} is this many times {@code maxMessages} (at most {@code maxDedupIds}). */
    public static final int DEFAULT_RETAINED_FACTOR = 10;

    public static final HistoryLimits DEFAULTS =
            new HistoryLimits(1000, 600_000, 8L * 1024 * 1024, 300_000, 100_000);

    /** Per-channel bounds with the default region channel cap and the default retention bound. */
    public HistoryLimits(int maxMessages, long ttlMs, long maxBytes, long dedupWindowMs, int maxDedupIds) {
        this(maxMessages, ttlMs, maxBytes, dedupWindowMs, maxDedupIds, DEFAULT_MAX_CHANNELS,
                defaultMaxRetained(maxMessages, maxDedupIds));
    }

    /** The default {@code history.maxRetainedMessages}: 10 × {@code maxMessages}, at most {@code maxDedupIds}. */
    public static int defaultMaxRetained(int maxMessages, int maxDedupIds) {
        long tenfold = (long) maxMessages * DEFAULT_RETAINED_FACTOR;
        return (int) Math.max(maxMessages, Math.min(tenfold, maxDedupIds));
    }

    public HistoryLimits withMaxChannels(int max) {
        return new HistoryLimits(maxMessages, ttlMs, maxBytes, dedupWindowMs, maxDedupIds, max, maxRetainedMessages);
    }

    public HistoryLimits withMaxRetainedMessages(int max) {
        return new HistoryLimits(maxMessages, ttlMs, maxBytes, dedupWindowMs, maxDedupIds, maxChannels, max);
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
        if (maxRetainedMessages < maxMessages) {
            throw new IllegalArgumentException("history.maxRetainedMessages must be at least history.maxMessages ("
                    + maxMessages + "), was " + maxRetainedMessages);
        }
        if (maxRetainedMessages > maxDedupIds) {
            throw new IllegalArgumentException("history.maxRetainedMessages must be at most history.maxDedupIds ("
                    + maxDedupIds + ": every message held keeps its id for dedup), was " + maxRetainedMessages);
        }
    }
}
