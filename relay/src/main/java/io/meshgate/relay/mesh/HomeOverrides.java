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
 * @param last    the change that made this version, who asked and why ({@link Change#NONE} when not known)
 */
public record HomeOverrides(long version, String author, Set<String> evacuated, Map<String, String> pins,
                            Change last) implements Serializable {
    /** At most this many pins: the table travels on every heartbeat, so it stays small. */
    public static final int MAX_PINS = 1000;
    /** The most characters of a change's description, asker or reason a region keeps from a peer's table. */
    static final int MAX_CHANGE_CHARS = 400;

    public static final HomeOverrides EMPTY = new HomeOverrides(0, "", Set.of(), Map.of());

    /**
     * The operator's change that made a version: what ({@code "EVACUATE eu-west"}), who asked (address, how let in,
     * the node that took the call) and why (the {@code --reason}, quoted). Every region logs it as it adopts the
     * version; none of it decides anything.
     */
    public record Change(String what, String who, String why) implements Serializable {
        public static final Change NONE = new Change("", "", "");

        public Change {
            what = clean(what);
            who = clean(who);
            why = clean(why);
        }

        public boolean known() {
            return !what.isEmpty();
        }

        @Override
        public String toString() {
            return known() ? what + " by " + (who.isEmpty() ? "an unknown caller" : who) + ": "
                    + (why.isEmpty() ? "no reason given" : why) : "the change is not known";
        }

        // A peer's text goes into this node's log: no control characters, bounded.
        private static String clean(String s) {
            String t = s == null ? "" : s.replaceAll("\\p{Cntrl}", "?");
            return t.length() > MAX_CHANGE_CHARS ? t.substring(0, MAX_CHANGE_CHARS) + "..." : t;
        }
    }

    /** A table whose last change is not known (read from an older file or peer, or the empty one). */
    public HomeOverrides(long version, String author, Set<String> evacuated, Map<String, String> pins) {
        this(version, author, evacuated, pins, Change.NONE);
    }

    public HomeOverrides {
        evacuated = Set.copyOf(evacuated);
        pins = Map.copyOf(pins);
        last = last == null ? Change.NONE : last;
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
                .addAllEvacuated(evacuatedSorted()).putAllPins(pins).setChange(last.what()).setChangedBy(last.who())
                .setChangeReason(last.why()).build();
    }

    static HomeOverrides fromProto(io.meshgate.proto.relay.HomeOverrides proto) {
        return new HomeOverrides(proto.getVersion(), proto.getAuthor(), Set.copyOf(proto.getEvacuatedList()),
                proto.getPinsMap(), new Change(proto.getChange(), proto.getChangedBy(), proto.getChangeReason()));
    }
}
