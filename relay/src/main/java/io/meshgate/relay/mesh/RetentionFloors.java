package io.meshgate.relay.mesh;

import io.meshgate.relay.history.ChannelState;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

import java.time.Clock;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The home's retention floors: per channel and peer region, the highest seq that region has said it stored (the
 * {@code stored_through} of its {@code Stored} replies to {@link DurabilityStores}) and when it said so. A
 * channel's floor is the lowest of these marks among the regions that still have interest in it and spoke within
 * {@code expiryMs}. The sequencer hands the floor to the channel's history ({@link ChannelState#retentionFloor}),
 * which then keeps the messages above it beyond {@code history.maxMessages}, up to
 * {@code history.maxRetainedMessages}: a region that fell behind (a cut link, a partition, a fail-back) finds what
 * it lacks at the home instead of resetting past a hole and handing its subscribers a {@code gap}.
 *
 * <p>Expiry: a mark stops counting, and is removed, when its region has not refreshed it for {@code expiryMs}
 * ({@code history.ttlMs}): a region silent that long is not live for the channel, and by then the TTL has begun to
 * drop what the mark protected anyway. A mark of a region that no longer has interest in the channel stops counting
 * at once. So a region that is gone pins history for at most {@code history.ttlMs}, and never beyond
 * {@code history.maxRetainedMessages} messages per channel.
 *
 * <p>Bounds: at most one mark per peer region per channel, for at most {@code maxChannels} channels. A mark for a
 * new channel when the table is full first sweeps expired marks; if it is still full, the channel is not tracked
 * (counted on {@code meshgate.history.retention.untracked}) and its history is trimmed by
 * {@code history.maxMessages} as before.
 *
 * <p>Leader change: the marks live in the mesh leader's memory, so a new leader starts with none, and the region
 * that lags (the one cut off) is exactly the one whose reply does not come. So until this table has heard from every
 * region with interest in a channel, or has run for {@code expiryMs}, the floor is
 * {@link ChannelState#KEEP_RETENTION_FLOOR}: the channel's state keeps the floor it was last given, which is stored
 * in its Hazelcast entry and backup and so outlives the leader that computed it. A region silent for
 * {@code expiryMs} after the leader started stops counting, as any silent region does.
 *
 * <p>Threads: {@link #stored} runs where link replies complete (the conductor), {@link #floor} on the sequencer's
 * worker threads. Each channel's marks are an immutable map replaced atomically ({@code compute}), so no lock is
 * held across calls.
 */
final class RetentionFloors {
    /** One region's last word on a channel: it holds everything up to {@code storedThrough}. */
    private record Mark(long storedThrough, long atMillis) {
    }

    private final Set<String> peers;
    private final int maxChannels;
    private final long expiryMs;
    private final Clock clock;
    private final ConcurrentHashMap<String, Map<String, Mark>> byChannel = new ConcurrentHashMap<>();
    private final Counter untracked;
    /** When this table started (this node became leader): before {@code expiryMs} a missing mark is not known. */
    private final long startedAtMillis;

    /**
     * @param peers       the regions a mark may name (anything else is ignored)
     * @param maxChannels most channels tracked at once
     * @param expiryMs    how long a mark counts without being refreshed ({@code history.ttlMs})
     * @param clock       what {@code expiryMs} is measured with
     */
    RetentionFloors(Collection<String> peers, int maxChannels, long expiryMs, Clock clock, MeterRegistry meters) {
        if (maxChannels < 1 || expiryMs < 1) {
            throw new IllegalArgumentException("maxChannels and expiryMs must be positive");
        }
        this.peers = Set.copyOf(peers);
        this.maxChannels = maxChannels;
        this.expiryMs = expiryMs;
        this.clock = clock;
        this.startedAtMillis = clock.millis();
        this.untracked = Counter.builder("meshgate.history.retention.untracked")
                .description("stored-through marks of lagging regions not kept because the home already tracked"
                        + " its most channels (history.maxChannels); those channels keep history.maxMessages only")
                .register(meters);
    }

    /** {@code region} said it holds the channel up to {@code storedThrough}. Marks only rise; 0 says nothing. */
    void stored(String region, String channel, long storedThrough) {
        if (storedThrough <= 0 || !peers.contains(region)) {
            return;
        }
        long now = clock.millis();
        if (!byChannel.containsKey(channel) && byChannel.size() >= maxChannels) {
            sweep(now);
            if (byChannel.size() >= maxChannels) {
                untracked.increment();
                return;
            }
        }
        byChannel.compute(channel, (ch, marks) -> {
            Map<String, Mark> next = marks == null ? new HashMap<>() : new HashMap<>(marks);
            Mark old = next.get(region);
            long through = old == null ? storedThrough : Math.max(old.storedThrough(), storedThrough);
            next.put(region, new Mark(through, now));
            return Map.copyOf(next);
        });
    }

    /**
     * The channel's floor: the lowest mark among the regions in {@code interested} that counts,
     * {@link ChannelState#NO_RETENTION_FLOOR} when none does, or {@link ChannelState#KEEP_RETENTION_FLOOR} while a
     * peer region in {@code interested} has not spoken since this table started less than {@code expiryMs} ago (see
     * the class comment). Marks that no longer count are removed.
     */
    long floor(String channel, Set<String> interested) {
        Map<String, Mark> marks = byChannel.getOrDefault(channel, Map.of());
        long now = clock.millis();
        if (now - startedAtMillis < expiryMs) {
            for (String region : interested) {
                if (peers.contains(region) && !marks.containsKey(region)) {
                    return ChannelState.KEEP_RETENTION_FLOOR;
                }
            }
        }
        long floor = ChannelState.NO_RETENTION_FLOOR;
        boolean stale = false;
        for (Map.Entry<String, Mark> mark : marks.entrySet()) {
            if (counts(mark.getKey(), mark.getValue(), interested, now)) {
                floor = Math.min(floor, mark.getValue().storedThrough());
            } else {
                stale = true;
            }
        }
        if (stale) {
            byChannel.computeIfPresent(channel, (ch, current) -> prune(current, interested, now));
        }
        return floor;
    }

    /** Channels with at least one mark (for tests and the status view). */
    int channels() {
        return byChannel.size();
    }

    private boolean counts(String region, Mark mark, Set<String> interested, long now) {
        return interested.contains(region) && now - mark.atMillis() < expiryMs;
    }

    /** The marks that still count, or null (no entry) when none does; {@code interested} null keeps any region. */
    private Map<String, Mark> prune(Map<String, Mark> marks, Set<String> interested, long now) {
        Map<String, Mark> kept = new HashMap<>();
        marks.forEach((region, mark) -> {
            if (now - mark.atMillis() < expiryMs && (interested == null || interested.contains(region))) {
                kept.put(region, mark);
            }
        });
        return kept.isEmpty() ? null : Map.copyOf(kept);
    }

    private void sweep(long now) {
        for (String channel : byChannel.keySet()) {
            byChannel.computeIfPresent(channel, (ch, marks) -> prune(marks, null, now));
        }
    }
}
