package io.meshgate.relay.mesh;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Faults an operator injects into this node's mesh links for a chaos experiment (off unless {@code admin.faults}:
 * the edge refuses to call {@link #set} otherwise). One fault per peer region at most, applied by {@link MeshLink}
 * to every frame this node sends on its link to that peer: extra one-way latency (plus uniform jitter), a drop
 * probability, or a cut (every frame dropped, so heartbeats go unanswered and the link goes down as it would on a
 * real partition). Delayed frames keep their order (the link's queue is FIFO), so jitter never reorders a stream.
 *
 * <p>Threads: {@link #set}/{@link #clear} on the admin handler's worker threads, {@link #onSend} on whatever thread
 * sends a frame (timer, transport, worker); the table is a concurrent map and the random source is a
 * {@link Random}, which is thread-safe. At most one entry per configured peer, so the table is bounded.
 */
public final class Faults {
    private static final Logger LOG = LoggerFactory.getLogger(Faults.class);
    /** What {@link #onSend} returns for a frame that is to be dropped. */
    static final long DROP = -1;

    /**
     * One link's fault.
     *
     * @param latencyMs one-way delay added to every frame sent to the peer
     * @param jitterMs  up to this much more, uniformly at random per frame
     * @param drop      probability (0..1) that a frame is dropped
     * @param cut       every frame dropped
     */
    public record LinkFault(long latencyMs, long jitterMs, double drop, boolean cut) {
        /** Longest latency or jitter an operator may inject: a minute, past every timeout the mesh has. */
        public static final long MAX_MS = 60_000;

        public LinkFault {
            if (latencyMs < 0 || latencyMs > MAX_MS || jitterMs < 0 || jitterMs > MAX_MS) {
                throw new IllegalArgumentException("latencyMs and jitterMs must be between 0 and " + MAX_MS);
            }
            if (!(drop >= 0 && drop <= 1)) {
                throw new IllegalArgumentException("drop must be a probability between 0 and 1");
            }
        }
    }

    private final java.util.Set<String> peers;
    private final Random random;
    private final ConcurrentHashMap<String, LinkFault> byPeer = new ConcurrentHashMap<>();

    /**
     * @param peers  the peer regions a fault may name
     * @param random decides jitter and drops (seeded in tests)
     */
    public Faults(java.util.Set<String> peers, Random random) {
        this.peers = java.util.Set.copyOf(peers);
        this.random = random;
    }

    /** Replaces the fault on the link to {@code peer}; who and why are logged. */
    public void set(String peer, LinkFault fault, String who, String why) {
        requirePeer(peer);
        byPeer.put(peer, fault);
        LOG.warn("fault injected on the mesh link to region {} by {}: {} ({})", peer, who, fault, why);
    }

    /** Removes the fault on the link to {@code peer}; false when there was none. */
    public boolean clear(String peer, String who, String why) {
        requirePeer(peer);
        boolean had = byPeer.remove(peer) != null;
        if (had) {
            LOG.warn("fault on the mesh link to region {} cleared by {} ({})", peer, who, why);
        }
        return had;
    }

    /** Removes every fault; returns how many there were. */
    public int clearAll(String who, String why) {
        int n = 0;
        for (String peer : byPeer.keySet()) {
            if (clear(peer, who, why)) {
                n++;
            }
        }
        return n;
    }

    /** The faults in force, by peer region. */
    public Map<String, LinkFault> active() {
        return new TreeMap<>(byPeer);
    }

    /** The regions a fault may name. */
    public java.util.Set<String> peers() {
        return peers;
    }

    /** Extra delay in nanoseconds for one frame about to be sent to {@code peer}, or {@link #DROP}. */
    long onSend(String peer) {
        LinkFault fault = byPeer.get(peer);
        if (fault == null) {
            return 0;
        }
        if (fault.cut() || (fault.drop() > 0 && random.nextDouble() < fault.drop())) {
            return DROP;
        }
        long jitter = fault.jitterMs() == 0 ? 0 : (long) (random.nextDouble() * fault.jitterMs() * 1_000_000L);
        return fault.latencyMs() * 1_000_000L + jitter;
    }

    private void requirePeer(String peer) {
        if (!peers.contains(peer)) {
            throw new IllegalArgumentException("no mesh link to region '" + peer + "'; links go to " + peers);
        }
    }
}
