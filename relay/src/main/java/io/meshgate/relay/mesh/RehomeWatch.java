package io.meshgate.relay.mesh;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * Notices re-home events: every change of the region's liveness view (see {@link Liveness}) moves the channels of
 * the region that left it to their next homes, or gives a region that joined it its channels back. Each node
 * checks the view it reads (the leader's, published through {@link MeshView}) on the mesh's timer, counts each
 * change in {@code meshgate.mesh.rehome.events} and keeps the last {@link #KEPT} for the status page; older events
 * fall off the end.
 *
 * <p>Threads: {@link #check} on the mesh's timer; {@link #recent} on any thread (both under this monitor).
 */
public final class RehomeWatch {
    /** How many recent events are kept. */
    public static final int KEPT = 50;

    /**
     * One change of the liveness view.
     *
     * @param at     when this node noticed it
     * @param region the region that left or joined the view
     * @param joined true when it joined (its channels come back), false when it left (they move away)
     * @param live   the view after the change
     */
    public record Event(Instant at, String region, boolean joined, Set<String> live) {
    }

    private final Supplier<Set<String>> view;
    private final Clock clock;
    private final MeterRegistry meters;
    private final ArrayDeque<Event> events = new ArrayDeque<>();
    private Set<String> last;

    /** @param regions every region of the mesh: their counters are exported from the start, at zero */
    RehomeWatch(java.util.Collection<String> regions, Supplier<Set<String>> view, Clock clock, MeterRegistry meters) {
        this.view = view;
        this.clock = clock;
        this.meters = meters;
        for (String region : regions) {
            counter(region, true);
            counter(region, false);
        }
    }

    private Counter counter(String region, boolean joined) {
        return Counter.builder("meshgate.mesh.rehome.events").tags("target", region, "direction",
                        joined ? "back" : "away").register(meters);
    }

    /** Compares the view with the last one seen; the first look and an empty (unpublished) view set no baseline. */
    synchronized void check() {
        Set<String> now = new TreeSet<>(view.get());
        if (now.isEmpty()) {
            return;
        }
        if (last != null) {
            for (String gone : last) {
                if (!now.contains(gone)) {
                    record(gone, false, now);
                }
            }
            for (String joined : now) {
                if (!last.contains(joined)) {
                    record(joined, true, now);
                }
            }
        }
        last = now;
    }

    private void record(String region, boolean joined, Set<String> live) {
        counter(region, joined).increment();
        if (events.size() == KEPT) {
            events.removeFirst();
        }
        events.addLast(new Event(clock.instant(), region, joined, Set.copyOf(live)));
    }

    /** The kept events, newest last. */
    public synchronized List<Event> recent() {
        return new ArrayList<>(events);
    }
}
