package io.meshgate.relay.mesh;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Which other regions have subscribers of which channels, as they told us. Kept in the region's Hazelcast
 * ({@code meshgate.interest}, one entry per peer region) so a new leader starts from it, and mirrored in memory for
 * the per-publish lookup. Bounded by the peers' channel counts; a full update replaces a region's whole set.
 *
 * <p>The stored copy only gives a new leader a warm start (every link sends a full set when it comes up), so it is
 * written behind: a changed region is copied at most once per {@link #FLUSH_DELAY_MS}, one write at a time, instead
 * of copying a whole set of possibly 100,000 channels on every delta.
 */
final class InterestTable {
    private static final Logger LOG = LoggerFactory.getLogger(InterestTable.class);
    static final String MAP_NAME = "meshgate.interest";

    static final long FLUSH_DELAY_MS = 500;

    private final IMap<String, HashSet<String>> stored;
    private final ScheduledExecutorService timer;
    private final ConcurrentHashMap<String, Set<String>> byRegion = new ConcurrentHashMap<>();
    private final Set<String> dirty = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean flushScheduled = new AtomicBoolean();
    private volatile boolean stopped;

    InterestTable(HazelcastInstance hazelcast, ScheduledExecutorService timer) {
        this.stored = hazelcast.getMap(MAP_NAME);
        this.timer = timer;
        for (Map.Entry<String, HashSet<String>> e : stored.entrySet()) {
            Set<String> channels = ConcurrentHashMap.newKeySet();
            channels.addAll(e.getValue());
            byRegion.put(e.getKey(), channels);
        }
    }

    void add(String region, Collection<String> channels) {
        if (channels.isEmpty()) {
            return;
        }
        byRegion.computeIfAbsent(region, r -> ConcurrentHashMap.newKeySet()).addAll(channels);
        persist(region);
    }

    void remove(String region, Collection<String> channels) {
        Set<String> set = byRegion.get(region);
        if (set != null && set.removeAll(channels)) {
            persist(region);
        }
    }

    /** Replaces the region's whole interest; returns the channels it holds now and did not before. */
    Set<String> replace(String region, Collection<String> channels) {
        Set<String> fresh = ConcurrentHashMap.newKeySet();
        fresh.addAll(channels);
        Set<String> before = byRegion.put(region, fresh);
        persist(region);
        Set<String> gained = new TreeSet<>();
        for (String channel : fresh) {
            if (before == null || !before.contains(channel)) {
                gained.add(channel);
            }
        }
        return gained;
    }

    /** The peer regions that want the channel's messages. */
    Set<String> regionsFor(String channel) {
        Set<String> out = new TreeSet<>();
        byRegion.forEach((region, channels) -> {
            if (channels.contains(channel)) {
                out.add(region);
            }
        });
        return out;
    }

    int channelsOf(String region) {
        Set<String> set = byRegion.get(region);
        return set == null ? 0 : set.size();
    }

    /** Stops writing the stored copy (the leader is stopping; Hazelcast may be gone). */
    void stop() {
        stopped = true;
    }

    private void persist(String region) {
        dirty.add(region);
        if (!stopped && flushScheduled.compareAndSet(false, true)) {
            try {
                timer.schedule(this::flush, FLUSH_DELAY_MS, TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException e) {
                flushScheduled.set(false); // the node is stopping: the next leader resyncs from the links anyway
            }
        }
    }

    private void flush() {
        List<CompletableFuture<?>> writes = new ArrayList<>();
        for (String region : List.copyOf(dirty)) {
            dirty.remove(region);
            if (stopped) {
                break;
            }
            HashSet<String> snapshot = new HashSet<>(byRegion.getOrDefault(region, Set.of()));
            writes.add(stored.setAsync(region, snapshot).toCompletableFuture().whenComplete((ok, failure) -> {
                if (failure != null) {
                    LOG.warn("interest of {} not stored in the region: {}", region, failure.toString());
                }
            }));
        }
        // The next flush starts after these writes end, so an older set never lands after a newer one.
        CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).handle((ok, failure) -> {
            flushScheduled.set(false);
            if (!dirty.isEmpty()) {
                persist(dirty.iterator().next());
            }
            return null;
        });
    }
}
