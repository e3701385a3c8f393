package io.meshgate.relay.mesh;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;

/**
 * Rendezvous (highest-random-weight) hashing of channels over regions: every node computes the same home from the
 * same set of regions, and removing a region moves only the channels it was home of.
 */
public final class Rendezvous {
    private Rendezvous() {
    }

    /** The regions in preference order for the channel: the home first, then who would take over from it. */
    public static List<String> rank(String channel, Collection<String> regions) {
        List<String> out = new ArrayList<>(regions);
        Comparator<String> byWeight = (a, b) -> Long.compareUnsigned(weight(channel, b), weight(channel, a));
        out.sort(byWeight.thenComparing(Comparator.naturalOrder()));
        return out;
    }

    public static String home(String channel, Collection<String> regions) {
        if (regions.isEmpty()) {
            throw new IllegalArgumentException("no regions to choose a home from");
        }
        return rank(channel, regions).get(0);
    }

    /** FNV-1a over region and channel, then a SplitMix64 finaliser so similar names spread evenly. */
    static long weight(String channel, String region) {
        long h = 0xcbf29ce484222325L;
        for (byte b : (region + '\u0000' + channel).getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        h ^= h >>> 30;
        h *= 0xbf58476d1ce4e5b9L;
        h ^= h >>> 27;
        h *= 0x94d049bb133111ebL;
        h ^= h >>> 31;
        return h;
    }
}
