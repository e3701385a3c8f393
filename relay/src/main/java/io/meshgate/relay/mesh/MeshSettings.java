package io.meshgate.relay.mesh;

import io.meshgate.relay.link.LinkTlsSettings;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A node's view of the mesh.
 *
 * @param region            this node's region
 * @param peers             every other region and the relay addresses of its nodes, in the order to try them
 * @param durability        see {@link Durability}
 * @param heartbeatMs       interval of link heartbeats (RTT samples)
 * @param downAfterMissed   a link whose heartbeats go unanswered this many intervals in a row counts as down
 * @param upAfterGood       a link counts as up again after this many answered heartbeats in a row
 * @param linkQueueMax      frames waiting to be written on one link; beyond, a frame is refused (see docs)
 * @param requestTimeoutMs  how long a request over the mesh (publish, range, store) waits for its reply
 * @param reconnectMaxMs    cap of the exponential reconnect backoff
 * @param failbackHoldMs    how long a region must be reached without a break before it may be a channel's home
 *                          again (see {@link Liveness}); this region waits as long before it serves, unless every
 *                          reachable peer already held it and says so
 * @param emulatedRttMs     per peer region, extra round-trip latency to add on this link (demo and benchmark only)
 * @param tls               mutual TLS for links and in-region forwarding, or null for plaintext
 * @param overridesFile     where this node keeps the {@link HomeOverrides} across restarts ({@link OverridesFile}),
 *                          or null to keep them in memory only ({@code mesh.stateDir})
 */
public record MeshSettings(String region, Map<String, List<PeerAddress>> peers, Durability durability,
                           long heartbeatMs, int downAfterMissed, int upAfterGood, int linkQueueMax,
                           long requestTimeoutMs, long reconnectMaxMs, long failbackHoldMs, Map<String, Long> emulatedRttMs,
                           LinkTlsSettings tls, java.nio.file.Path overridesFile) {

    public MeshSettings {
        peers = Map.copyOf(peers);
        emulatedRttMs = Map.copyOf(emulatedRttMs);
    }

    /** The same, with the overrides kept in memory only. */
    public MeshSettings(String region, Map<String, List<PeerAddress>> peers, Durability durability,
                        long heartbeatMs, int downAfterMissed, int upAfterGood, int linkQueueMax,
                        long requestTimeoutMs, long reconnectMaxMs, long failbackHoldMs,
                        Map<String, Long> emulatedRttMs, LinkTlsSettings tls) {
        this(region, peers, durability, heartbeatMs, downAfterMissed, upAfterGood, linkQueueMax, requestTimeoutMs,
                reconnectMaxMs, failbackHoldMs, emulatedRttMs, tls, null);
    }

    /** Every region of the deployment, this one included. */
    public Set<String> regions() {
        java.util.TreeSet<String> all = new java.util.TreeSet<>(peers.keySet());
        all.add(region);
        return all;
    }

    /** The region whose name sorts first dials: one stream per pair. */
    public boolean dials(String peer) {
        return region.compareTo(peer) < 0;
    }

    public long emulatedOneWayNanos(String peer) {
        Long rtt = emulatedRttMs.get(peer);
        return rtt == null ? 0 : rtt * 1_000_000L / 2;
    }
}
