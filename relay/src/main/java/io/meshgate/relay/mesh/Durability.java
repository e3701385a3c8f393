package io.meshgate.relay.mesh;

/** When the home acks and delivers a message. */
public enum Durability {
    /** Once another region has stored it too (when another region is reachable). */
    REGION,
    /** Once the home region's own owner and backup hold it. */
    LOCAL
}
