package io.meshgate.relay.mesh;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.Locale;

/**
 * Counts the failure detector's state changes for {@code /metrics}: each link's {@link LinkHealth.LinkState} and
 * each region's {@link Liveness.RegionState}, by the state entered. Called on whichever thread moves a state (under
 * that state machine's monitor); Micrometer's counters are thread-safe and looked up once per (name, tags).
 */
final class DetectorTransitions {
    private final MeterRegistry meters;

    /** Every (link, state) and (region, state) counter is exported from the start, at zero. */
    DetectorTransitions(MeterRegistry meters, MeshSettings settings) {
        this.meters = meters;
        for (String peer : settings.peers().keySet()) {
            for (LinkHealth.LinkState state : LinkHealth.LinkState.values()) {
                linkCounter(peer, state);
            }
        }
        for (String region : settings.regions()) {
            for (Liveness.RegionState state : Liveness.RegionState.values()) {
                regionCounter(region, state);
            }
        }
    }

    void link(String peer, LinkHealth.LinkState to) {
        linkCounter(peer, to).increment();
    }

    void region(String region, Liveness.RegionState to) {
        regionCounter(region, to).increment();
    }

    private Counter linkCounter(String peer, LinkHealth.LinkState to) {
        return Counter.builder("meshgate.mesh.link.transitions")
                .tags("peer", peer, "to", to.name().toLowerCase(Locale.ROOT)).register(meters);
    }

    private Counter regionCounter(String region, Liveness.RegionState to) {
        return Counter.builder("meshgate.mesh.region.transitions").tags("target", region,
                        "to", to.name().toLowerCase(Locale.ROOT)).register(meters);
    }
}
