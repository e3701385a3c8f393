package io.meshgate.relay.mesh;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Collection;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which other regions have subscribers of which channels, as they told us. Kept in the region's Hazelcast
 * ({@code meshgate.interest}, one entry per peer region) so a new leader starts from it, and mirrored in memory for
 * the per-publish lookup. Bounded by the peers' channel counts; a full update replaces a region's whole set.
 */
final class InterestTable {
    private static final Logger LOG = LoggerFactory.getLogger(InterestTable.class);
    static final String MAP_NAME = "meshgate.interest";

    private final IMap<String, HashSet<String>> stored;
    private final ConcurrentHashMap<String, Set<String>> byRegion = new ConcurrentHashMap<>();

    InterestTable(HazelcastInstance hazelcast) {
        this.stored = hazelcast.getMap(MAP_NAME);
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

    void replace(String region, Collection<String> channels) {
        Set<String> fresh = ConcurrentHashMap.newKeySet();
        fresh.addAll(channels);
        byRegion.put(region, fresh);
        persist(region);
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

    private void persist(String region) {
        HashSet<String> snapshot = new HashSet<>(byRegion.getOrDefault(region, Set.of()));
        stored.setAsync(region, snapshot).whenComplete((ok, failure) -> {
            if (failure != null) {
                LOG.warn("interest of {} not stored in the region: {}", region, failure.toString());
            }
        });
    }
}
