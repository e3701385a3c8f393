package io.meshgate.edge.ops;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.cluster.Member;
import com.hazelcast.map.IMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Where a draining node sends its clients: another node of the region that is alive and not draining itself, at the
 * WebSocket URL that node announced when it started. The configuration alone cannot say this: it does not know which
 * nodes are up, and a node configured with edge port 0 is reached on a port only it knows.
 */
public final class MoveTargets {
    private static final Logger LOG = LoggerFactory.getLogger(MoveTargets.class);
    private static final String META_MAP = "meshgate.meta";
    private static final String PREFIX = "ws.";

    private final HazelcastInstance hazelcast;
    private final List<String> configuredPeers;

    /** @param configuredPeers the configuration's other nodes, used only while the region's map cannot be read */
    public MoveTargets(HazelcastInstance hazelcast, List<String> configuredPeers) {
        this.hazelcast = hazelcast;
        this.configuredPeers = configuredPeers == null ? List.of() : List.copyOf(configuredPeers);
    }

    private IMap<String, String> meta() {
        return hazelcast.getMap(META_MAP);
    }

    /** Offers this node as a move target. */
    public void announce(String wsUrl) {
        meta().set(PREFIX + hazelcast.getCluster().getLocalMember().getUuid(), wsUrl);
    }

    /** Stops offering this node (it drains); quiet when the region is already gone. */
    public void withdraw() {
        try {
            meta().delete(PREFIX + hazelcast.getCluster().getLocalMember().getUuid());
        } catch (RuntimeException e) {
            LOG.debug("could not withdraw this node as a move target: {}", e.toString());
        }
    }

    /** A member left the region: its announcement goes too (any node may do it; deleting twice is harmless). */
    public void forget(UUID member) {
        try {
            meta().delete(PREFIX + member);
        } catch (RuntimeException e) {
            LOG.debug("could not forget move target {}: {}", member, e.toString());
        }
    }

    /** A live, announced node other than this one, at random; null when there is none (clients pick a region). */
    public String pick() {
        try {
            List<String> candidates = new ArrayList<>();
            for (Member member : hazelcast.getCluster().getMembers()) {
                if (!member.localMember()) {
                    String url = meta().get(PREFIX + member.getUuid());
                    if (url != null) {
                        candidates.add(url);
                    }
                }
            }
            return random(candidates);
        } catch (RuntimeException e) {
            LOG.warn("the region's move targets could not be read ({}); using the configured nodes", e.toString());
            return random(configuredPeers);
        }
    }

    private static String random(List<String> urls) {
        return urls.isEmpty() ? null : urls.get(ThreadLocalRandom.current().nextInt(urls.size()));
    }
}
