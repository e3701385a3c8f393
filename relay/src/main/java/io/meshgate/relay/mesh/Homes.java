package io.meshgate.relay.mesh;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Which region is a channel's home: the first of its rendezvous ranking over the configured regions that is in the
 * region's one liveness view ({@link Liveness}, read on other nodes through {@link MeshView}). Removing a region
 * moves only the channels it was home of, and they come back when it does.
 *
 * <p>Operators override the ranking through the mesh-wide {@link HomeOverrides}: a channel pinned to a live region
 * that is not failed over has it as home; a failed-over ("evacuated") region comes after every other live region,
 * so it is home of nothing while another region can be, and of its channels again once restored. A home changed this
 * way moves by the same reconciliation as fail-back (the new home fences the old one, whose in-flight batches are
 * refused and retried by id).
 *
 * <p>Re-homing needs {@code durability: region} and three or more regions: only then is every acked message in a
 * second region that a reconciling home can reach while one region is lost, with enough regions left to form a
 * quorum that a cut-off region cannot. Otherwise a channel stays with its configured home.
 *
 * <p>Stateless apart from the suppliers; safe on any thread.
 */
final class Homes {
    private final MeshSettings settings;
    private final Supplier<Set<String>> live;
    private final Supplier<HomeOverrides> overrides;

    Homes(MeshSettings settings, Supplier<Set<String>> live, Supplier<HomeOverrides> overrides) {
        this.settings = settings;
        this.live = live;
        this.overrides = overrides;
    }

    boolean rehomes() {
        return rehomes(settings);
    }

    static boolean rehomes(MeshSettings settings) {
        return settings.durability() == Durability.REGION && settings.regions().size() >= 3;
    }

    /**
     * The live regions in the channel's preference order: its home first (its pin, when live and not failed over),
     * then the others by rendezvous, failed-over regions last; empty when none is live.
     */
    List<String> rank(String channel) {
        List<String> ranked = Rendezvous.rank(channel, settings.regions());
        if (!rehomes()) {
            return ranked;
        }
        Set<String> now = live.get();
        HomeOverrides table = overrides.get();
        List<String> out = new ArrayList<>();
        String pinned = table.pinOf(channel);
        if (pinned != null && now.contains(pinned) && !table.evacuated().contains(pinned)) {
            out.add(pinned);
        }
        for (String region : ranked) {
            if (now.contains(region) && !table.evacuated().contains(region) && !region.equals(pinned)) {
                out.add(region);
            }
        }
        for (String region : ranked) {
            if (now.contains(region) && !out.contains(region)) {
                out.add(region);
            }
        }
        return out;
    }

    /**
     * The channel's home; when no region is live as seen here (this region is cut off), its configured home, to
     * which nothing can be sent: publishes are refused at once (see {@link Mesh#canServe}).
     */
    String home(String channel) {
        List<String> ranked = rank(channel);
        return ranked.isEmpty() ? Rendezvous.home(channel, settings.regions()) : ranked.get(0);
    }

    /**
     * Why this region, now the channel's home, took it by a planned handover, or null when it did not: the channel is
     * pinned here ({@code PIN}); the region the ranking would otherwise pick is failed over ({@code FAILOVER}); this
     * region is the channel's own first choice, taking it back ({@code FAILBACK}: restore, return after an outage,
     * unpin). Null also when this region took over from a first choice that is down: that is a failure, not a
     * handover. Asked by the {@link Reconciler} once it adopted the channel under a term above the first.
     */
    Handovers.Kind handoverKind(String channel) {
        String here = settings.region();
        if (!rehomes() || !home(channel).equals(here)) {
            return null;
        }
        List<String> ranked = Rendezvous.rank(channel, settings.regions());
        Set<String> now = live.get();
        String firstLive = ranked.stream().filter(now::contains).findFirst().orElse(here);
        if (firstLive.equals(here)) {
            return ranked.get(0).equals(here) ? Handovers.Kind.FAILBACK : null;
        }
        HomeOverrides table = overrides.get();
        if (here.equals(table.pinOf(channel))) {
            return Handovers.Kind.PIN;
        }
        return table.evacuated().contains(firstLive) ? Handovers.Kind.FAILOVER : null;
    }

    int quorum() {
        return quorum(settings);
    }

    /**
     * How many regions, this one included, must promise a reconciling home their fence. With region durability an
     * acked message is in two regions, so hearing from all regions but one finds every one of them, and (from three
     * regions on) two sides of a partition can never both reach it. Without, nothing waits for another region.
     */
    static int quorum(MeshSettings settings) {
        int regions = settings.regions().size();
        if (settings.durability() != Durability.REGION) {
            return 1;
        }
        return regions >= 3 ? regions - 1 : regions;
    }
}
