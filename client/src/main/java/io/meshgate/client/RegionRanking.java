package io.meshgate.client;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reachable regions ranked by the median of their successful probes, lowest first; ties keep the order in which
 * {@code /v1/regions} listed them. A region without a successful probe is unreachable and left out. Immutable.
 */
final class RegionRanking {
    private final List<RankedRegion> regions;

    private RegionRanking(List<RankedRegion> regions) {
        this.regions = List.copyOf(regions);
    }

    /**
     * @param listed      regions in the order {@code /v1/regions} listed them
     * @param probesNanos each region's successful probe RTTs in nanoseconds (absent or empty: unreachable)
     */
    static RegionRanking rank(List<ListedRegion> listed, Map<String, List<Long>> probesNanos) {
        List<RankedRegion> reachable = new ArrayList<>();
        for (ListedRegion region : listed) {
            List<Long> samples = probesNanos.getOrDefault(region.name(), List.of());
            if (!samples.isEmpty()) {
                reachable.add(new RankedRegion(region.name(), region.wsUrl(), region.httpUrl(),
                        Duration.ofNanos(medianNanos(samples))));
            }
        }
        // List.sort is stable: equal RTTs stay in listing order.
        reachable.sort(Comparator.comparing(RankedRegion::rtt));
        return new RegionRanking(reachable);
    }

    /** A ranking of one unmeasured region: where the client goes when no region answered its probes. */
    static RegionRanking only(RankedRegion region) {
        return new RegionRanking(List.of(region));
    }

    /** The middle sample, or the mean of the two middle ones for an even count. */
    static long medianNanos(List<Long> samples) {
        if (samples.isEmpty()) {
            throw new IllegalArgumentException("no samples");
        }
        List<Long> sorted = new ArrayList<>(samples);
        Collections.sort(sorted);
        int mid = sorted.size() / 2;
        return sorted.size() % 2 == 1 ? sorted.get(mid) : (sorted.get(mid - 1) + sorted.get(mid)) / 2;
    }

    List<RankedRegion> regions() {
        return regions;
    }

    boolean isEmpty() {
        return regions.isEmpty();
    }

    /** Median RTT per measured region, lowest first. */
    Map<String, Duration> rtts() {
        Map<String, Duration> out = new LinkedHashMap<>();
        regions.stream().filter(r -> r.rtt() != null).forEach(r -> out.put(r.name(), r.rtt()));
        return Collections.unmodifiableMap(out);
    }
}
