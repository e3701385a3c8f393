package io.meshgate.relay.history;

import com.hazelcast.map.IMap;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The region's cap on the channels it holds ({@code history.maxChannels}). Below the cap nothing is asked of the
 * cluster per call: the count is a snapshot {@link #recount() recounted} by the region's housekeeping thread every
 * second. At the cap, a call for a channel first asks (asynchronously, one read-only entry processor) whether the
 * channel exists: existing channels are unaffected, a new one fails with {@link ChannelLimitException}.
 *
 * <p>The cap is exact once the snapshot has reached it; channels created by concurrent calls in the second before
 * (at most {@code limits.subscribesPerSecond} per connection) may pass it, and are counted in the next recount.
 * {@link #admit} is called on any thread and never blocks; {@link #recount} blocks (a cluster-wide size).
 */
final class ChannelCap {
    private final IMap<String, ChannelState> channels;
    private final int maxChannels;
    private volatile int count;

    ChannelCap(IMap<String, ChannelState> channels, int maxChannels) {
        this.channels = channels;
        this.maxChannels = maxChannels;
    }

    /** Completes when {@code channel} may be created or already exists; fails with the limit otherwise. */
    CompletionStage<Void> admit(String channel) {
        if (maxChannels <= 0 || count < maxChannels) {
            return CompletableFuture.completedFuture(null);
        }
        return IdempotentRetry.call(() -> channels.submitToKey(channel, new ExistsProcessor())).thenApply(exists -> {
            if (!exists) {
                throw new ChannelLimitException(channel, maxChannels);
            }
            return null;
        });
    }

    /** Takes a fresh count; returns it. Blocking. */
    int recount() {
        count = channels.size();
        return count;
    }
}
