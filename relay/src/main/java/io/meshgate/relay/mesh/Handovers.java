package io.meshgate.relay.mesh;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;

/**
 * Counts planned handovers for {@code /metrics} as {@code meshgate_mesh_handovers_total{kind}}: a region's mesh
 * leadership given by a stopping leader to the next member ({@link Kind#LEADER}, counted on the node that hands it
 * over), and a channel's home moved by an operator or a region's return while the previous home was still reachable
 * ({@link Kind#FAILOVER}, {@link Kind#PIN}, {@link Kind#FAILBACK}, counted by the region that takes the channel, once
 * per channel it reconciles). A take-over from a region that went down is no handover: it shows in
 * {@code meshgate_mesh_term_changes_total} and {@code meshgate_mesh_rehome_events_total}.
 *
 * <p>Threads: any (a stopping node's thread, Hazelcast threads completing a reconciliation); Micrometer's counters are
 * thread-safe, and every kind is registered, at zero, when this is built.
 */
final class Handovers {
    /** Why something was handed over; the metric's {@code kind} label is the lower-case name. */
    enum Kind {
        /** A draining mesh leader gave the region's leadership to the next oldest member. */
        LEADER,
        /** A channel left a region an operator failed over ({@code failover --region}). */
        FAILOVER,
        /** A channel moved to the region an operator pinned it to ({@code pin}). */
        PIN,
        /** A channel's own home took it back: after {@code restore}, once a region that was down is live again,
         *  or after {@code unpin}. */
        FAILBACK
    }

    static final String METRIC = "meshgate.mesh.handovers";

    private final Map<Kind, Counter> counters = new EnumMap<>(Kind.class);

    Handovers(MeterRegistry meters) {
        for (Kind kind : Kind.values()) {
            counters.put(kind, Counter.builder(METRIC).tag("kind", kind.name().toLowerCase(Locale.ROOT))
                    .description("planned handovers: kind=leader, a draining mesh leader gave the region's"
                            + " leadership on (counted by the giver); failover, pin, failback: channels this region"
                            + " took by a planned handover (operator failover, pin, or its own home's return)")
                    .register(meters));
        }
    }

    void count(Kind kind) {
        counters.get(kind).increment();
    }
}
