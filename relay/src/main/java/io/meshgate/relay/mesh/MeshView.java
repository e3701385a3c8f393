package io.meshgate.relay.mesh;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.replicatedmap.ReplicatedMap;

import java.io.Serializable;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The leader's view of the mesh (links up or down, RTTs, queues), published in a replicated map so every node of
 * the region answers {@code /v1/regions}, {@code /metrics} and status from the same picture with a local read.
 */
final class MeshView {
    static final String MAP_NAME = "meshgate.mesh.view";
    private static final String MATRIX = "_matrix";
    private static final String LIVE = "_live";
    private static final String OVERRIDES = "_overrides";

    private final ReplicatedMap<String, Serializable> map;
    private final MeshSettings settings;
    private final Map<String, Serializable> lastPublished = new HashMap<>();

    /** One peer as the leader sees it. RTT in microseconds, -1 when unknown. */
    record PeerState(boolean up, long rttMicros, int queued, String breaker, String node, boolean relayed)
            implements Serializable {
    }

    MeshView(HazelcastInstance hazelcast, MeshSettings settings) {
        this.map = hazelcast.getReplicatedMap(MAP_NAME);
        this.settings = settings;
    }

    /**
     * Publishes the links, {@code live} (the leader's {@link Liveness} view) and the mesh-wide {@code overrides} of
     * channel homes, for every node of the region.
     */
    synchronized void publish(Links links, Set<String> live, HomeOverrides overrides) {
        put(LIVE, new TreeSet<>(live));
        put(OVERRIDES, overrides);
        for (String peer : settings.peers().keySet()) {
            MeshLink direct = links.direct(peer);
            boolean directUp = direct != null && direct.health().isUp();
            PeerState state = new PeerState(directUp, directUp ? direct.health().rttMicros() : -1,
                    direct == null ? 0 : direct.queued(), links.breakerState(peer).name(),
                    direct == null ? "" : direct.peerNode(), !directUp && links.reachable(peer));
            put(peer, state);
        }
        HashMap<String, HashMap<String, Long>> matrix = new HashMap<>();
        links.matrix().forEach((from, row) -> matrix.put(from, new HashMap<>(row)));
        put(MATRIX, matrix);
    }

    private void put(String key, Serializable value) {
        if (!Objects.equals(lastPublished.get(key), value)) {
            lastPublished.put(key, value);
            map.put(key, value);
        }
    }

    /** The regions the leader counts live (see {@link Liveness}); empty before any leader published. */
    @SuppressWarnings("unchecked")
    Set<String> live() {
        Serializable s = map.get(LIVE);
        return s instanceof Set<?> set ? Set.copyOf((Set<String>) set) : Set.of();
    }

    /** The overrides of channel homes the leader holds ({@link HomeControl}); empty before any leader published. */
    HomeOverrides overrides() {
        Serializable s = map.get(OVERRIDES);
        return s instanceof HomeOverrides o ? o : HomeOverrides.EMPTY;
    }

    PeerState peer(String region) {
        Serializable state = map.get(region);
        return state instanceof PeerState p ? p : null;
    }

    @SuppressWarnings("unchecked")
    Map<String, Map<String, Long>> matrix() {
        Serializable m = map.get(MATRIX);
        Map<String, Map<String, Long>> out = new TreeMap<>();
        if (m instanceof Map<?, ?> raw) {
            ((Map<String, Map<String, Long>>) raw).forEach((k, v) -> out.put(k, new TreeMap<>(v)));
        }
        return out;
    }
}
