package io.meshgate.relay.node;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;

/**
 * What the status page reads of this node's mesh, on top of {@link RelayHealth} (region health, a channel's home):
 * the mesh's regions, its links as {@link #status()} reports them, the recent re-home events and the faults in
 * force. Only a node that runs a mesh has one ({@link RelayNode#meshOperations()}). Safe on any thread; every answer
 * is a snapshot in plain values; changes nothing.
 */
public interface MeshStatusView extends RelayHealth {

    /** Every region of the mesh, this one included, sorted by name. */
    SortedSet<String> regions();

    /**
     * This node's role, each peer link ({@code links}: per peer {@code up}, {@code relayed}, {@code rttMs},
     * {@code queued}, {@code breaker}, {@code node}), the RTT matrix in milliseconds ({@code rttMs}) and the home
     * overrides in force ({@code homeOverrides}); the same map {@code GET /admin/mesh} shows.
     */
    Map<String, Object> status();

    /** The recent changes of the liveness view, each of which re-homed channels; newest last, a bounded list. */
    List<RehomeEvent> recentRehomes();

    /** The faults injected into this node's mesh links, by peer region (sorted); empty when none. */
    Map<String, LinkFault> faults();

    /**
     * One change of the liveness view.
     *
     * @param at     when this node noticed it
     * @param region the region that left or joined the view
     * @param joined true when it joined (its channels came back), false when it left (they moved away)
     * @param live   the view after the change
     */
    record RehomeEvent(Instant at, String region, boolean joined, Set<String> live) {
    }

    /**
     * One mesh link's injected fault, as read and as set ({@link MeshOperations#setFault}, which checks the
     * ranges).
     *
     * @param latencyMs one-way delay added to every frame this node sends to the peer
     * @param jitterMs  up to this much more, uniformly at random per frame
     * @param drop      probability (0..1) that a frame is dropped
     * @param cut       every frame dropped
     */
    record LinkFault(long latencyMs, long jitterMs, double drop, boolean cut) {
    }
}
