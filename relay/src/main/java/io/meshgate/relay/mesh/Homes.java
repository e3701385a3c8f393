package io.meshgate.relay.mesh;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * Which region is a channel's home: the first of its rendezvous ranking over the configured regions that is live
 * as this region sees it (itself, or reachable directly or through a relay). Removing a region moves only the
 * channels it was home of, and they come back when it does.
 *
 * <p>Re-homing needs {@code durability: region} and three or more regions: only then is every acked message in a
 * second region that a reconciling home can reach while one region is lost, with enough regions left to form a
 * quorum that a cut-off region cannot. Otherwise a channel stays with its configured home.
 */
final class Homes {
    private final MeshSettings settings;
    private final Predicate<String> reachable;

    Homes(MeshSettings settings, Predicate<String> reachable) {
        this.settings = settings;
        this.reachable = reachable;
    }

    boolean rehomes() {
        return settings.durability() == Durability.REGION && settings.regions().size() >= 3;
    }

    /** The live regions in the channel's preference order: its home first. */
    List<String> rank(String channel) {
        List<String> out = new ArrayList<>();
        for (String region : Rendezvous.rank(channel, settings.regions())) {
            if (!rehomes() || isLive(region)) {
                out.add(region);
            }
        }
        return out;
    }

    String home(String channel) {
        return rank(channel).get(0);
    }

    private boolean isLive(String region) {
        return region.equals(settings.region()) || reachable.test(region);
    }

    /**
     * How many regions, this one included, must promise a reconciling home their fence. With region durability an
     * acked message is in two regions, so hearing from all regions but one finds every one of them, and (from three
     * regions on) two sides of a partition can never both reach it. Without, nothing waits for another region.
     */
    int quorum() {
        int regions = settings.regions().size();
        if (settings.durability() != Durability.REGION) {
            return 1;
        }
        return regions >= 3 ? regions - 1 : regions;
    }
}
