package io.meshgate.relay.node;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.meshgate.relay.history.ChannelStore;

import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * {@link RegionBoard} over the region's Hazelcast cluster: the rows are entries of {@value #NODES_MAP} with a
 * time to live, the channels are the keys of the channel store's map. Threads as in {@link RegionBoard}.
 */
final class HazelcastRegionBoard implements RegionBoard {
    static final String NODES_MAP = "meshgate.status.nodes";

    private final HazelcastInstance hazelcast;

    HazelcastRegionBoard(HazelcastInstance hazelcast) {
        this.hazelcast = hazelcast;
    }

    private IMap<String, String> nodes() {
        return hazelcast.getMap(NODES_MAP);
    }

    @Override
    public void publishRow(String node, String rowJson, long ttlSeconds) {
        nodes().set(node, rowJson, ttlSeconds, TimeUnit.SECONDS);
    }

    @Override
    public SortedMap<String, String> rows() {
        return new TreeMap<>(nodes());
    }

    @Override
    public int channelCount() {
        return hazelcast.getMap(ChannelStore.MAP_NAME).size();
    }

    @Override
    public Set<String> channelNames() {
        return hazelcast.<String, Object>getMap(ChannelStore.MAP_NAME).keySet();
    }
}
