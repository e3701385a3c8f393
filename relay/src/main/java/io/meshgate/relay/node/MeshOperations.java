package io.meshgate.relay.node;

import io.meshgate.proto.relay.HomeChange;

import java.util.concurrent.CompletionStage;

/**
 * What operators may change in this node's mesh, through the admin API, besides reading it ({@link MeshStatusView}):
 * the faults injected into its links ({@code /admin/faults}; the edge allows changes only with
 * {@code admin.faults}) and the mesh-wide channel homes ({@code /admin/failover}, {@code restore}, {@code pin},
 * {@code unpin}). Only a node that runs a mesh has one ({@link RelayNode#meshOperations()}). Callers check who may
 * call and pass on who did and why, which is logged with every change. Any thread; nothing blocks.
 */
public interface MeshOperations extends MeshStatusView {

    /**
     * Replaces the fault on this node's link to {@code peer}. Faults act only while this node leads its region (only
     * the leader holds links).
     *
     * @throws IllegalArgumentException naming what is wrong: {@code peer} is no peer region of the mesh, or
     *                                  {@code fault} is out of range (latency or jitter beyond a minute, drop not a
     *                                  probability)
     */
    void setFault(String peer, LinkFault fault, String who, String why);

    /**
     * Removes the fault on the link to {@code peer}; false when there was none.
     *
     * @throws IllegalArgumentException when {@code peer} is no peer region of the mesh
     */
    boolean clearFault(String peer, String who, String why);

    /** Removes every fault; returns how many there were. */
    int clearFaults(String who, String why);

    /**
     * Asks the region's mesh leader for a change of the overrides of channel homes, which it decides (refused when
     * it would leave a channel without a live home) and spreads to every region. {@code region} or {@code channel}
     * may be empty when the change has none. {@code who} and {@code why} travel with the change to every region, which
     * logs them as it adopts it.
     *
     * @return completes with the leader's answer ({@code changed}, {@code refusal}, the table); fails when the leader
     * cannot be reached
     */
    CompletionStage<HomeChange> changeHomes(HomeChange.Op op, String region, String channel, String who,
                                            String why);
}
