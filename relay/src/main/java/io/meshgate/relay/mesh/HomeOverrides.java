package io.meshgate.relay.mesh;

import java.io.Serializable;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The operators' overrides of channel homes, one immutable version of the table every region agrees on: the regions
 * failed over ({@code evacuated}: home of no channel while another live region can be) and the pinned channels
 * (channel to the region that is its home while that region is live). {@link Homes} consults it before the
 * rendezvous ranking. Versions are ordered by {@code (version, author)}; a region adopts any greater one it hears.
 *
 * @param version grows with every change; 0 is the empty table nobody changed
 * @param author  the region whose leader made the latest change; breaks ties between concurrent changes
 */
public record HomeOverrides(long version, String author, Set<String> evacuated, Map<String, String> pins)
        implements Serializable {
    /** At most this many pins: the table travels on every heartbeat, so it stays small. */
    public static final int MAX_PINS = 1000;

    public static final HomeOverrides EMPTY = new HomeOverrides(0, "", Set.of(), Map.of());

    public HomeOverrides {
        evacuated = Set.copyOf(evacuated);
        pins = Map.copyOf(pins);
    }

    /** True when this table should replace {@code other}: a greater version, or the same from a greater author. */
    boolean newerThan(HomeOverrides other) {
        return version != other.version ? version > other.version : author.compareTo(other.author) > 0;
    }

    /** The region the channel is pinned to, or null. */
    public String pinOf(String channel) {
        return pins.get(channel);
    }

    /** The regions failed over, sorted, for display. */
    public Set<String> evacuatedSorted() {
        return new TreeSet<>(evacuated);
    }

    /** The pins, sorted by channel, for display. */
    public Map<String, String> pinsSorted() {
        return new TreeMap<>(pins);
    }

    io.meshgate.proto.relay.HomeOverrides toProto() {
        return io.meshgate.proto.relay.HomeOverrides.newBuilder().setVersion(version).setAuthor(author)
                .addAllEvacuated(evacuatedSorted()).putAllPins(pins).build();
    }

    static HomeOverrides fromProto(io.meshgate.proto.relay.HomeOverrides proto) {
        return new HomeOverrides(proto.getVersion(), proto.getAuthor(), Set.copyOf(proto.getEvacuatedList()),
                proto.getPinsMap());
    }
}
