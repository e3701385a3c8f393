package io.meshgate.relay.node;

/**
 * What the edge's readiness, region directory and cut-off handling ask of the relay. Safe on any thread; every
 * answer is a snapshot of the relay's current view.
 */
public interface RelayHealth {

    /**
     * True while this node's region may serve: in a mesh, while it reaches a quorum of regions and has for
     * {@code mesh.failbackHoldMs}; alone, while the node is a member of its region.
     */
    boolean canServe();

    /**
     * True once this node's region could serve since the node started ({@link #canServe} was true at some moment,
     * also one nobody sampled), even if it cannot now: tells a region cut off from one still starting.
     */
    boolean everServed();

    /** True while {@code region} counts as healthy from here (this region: {@link #canServe()}). */
    boolean regionHealthy(String region);

    /**
     * True while operators have failed {@code region} over ({@code failover}, until {@code restore}): it is up but
     * serves no channels and moves its clients away, so it takes no clients moved from elsewhere either.
     */
    boolean failedOver(String region);

    /** The region that sequences {@code channel} as this node sees the mesh now (this region when alone). */
    String home(String channel);
}
