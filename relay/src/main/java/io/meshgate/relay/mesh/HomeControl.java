package io.meshgate.relay.mesh;

import io.meshgate.proto.relay.HomeChange;
import io.meshgate.relay.channel.ChannelNames;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * The mesh leader's copy of the {@link HomeOverrides} every region agrees on, and the one place an operator's change
 * of it is decided. A change made here gets the next version with this region as author and spreads on the next
 * heartbeats (the leader sends one at once); a greater table heard from a peer replaces this one. A region that
 * restarts empty is taught the table by its peers before it counts itself live (its first heartbeats arrive within
 * the liveness hold), and a new leader of the region starts from the table its predecessor published
 * ({@link MeshView}). Concurrent changes made in two regions are not merged: the greater (version, author) wins
 * and the other is dropped, which is why the CLI sends every change to the same (first answering) region.
 *
 * <p>The refusal rule: no change that would leave a channel without a live home. Failing over is refused when no
 * other live region would remain that is not failed over; restoring a region and pinning to one are refused while
 * that region is not live (down, or back for less than {@code mesh.failbackHoldMs}); pinning to a failed-over region
 * is refused. All of it needs re-homing ({@code durability: region}, three or more regions): without it, nothing
 * may move a channel's home and every change is refused.
 *
 * <p>Threads: {@link #change} runs on gRPC threads (a node's Forward) and {@link #learn} on link threads; both
 * synchronise on this object. {@link #current} is a volatile read, safe anywhere.
 */
final class HomeControl {
    private static final Logger LOG = LoggerFactory.getLogger(HomeControl.class);

    private final MeshSettings settings;
    private final Supplier<Set<String>> live;
    private volatile HomeOverrides table;

    /** @param inherited the table the region's previous leader published ({@link HomeOverrides#EMPTY} if none) */
    HomeControl(MeshSettings settings, Supplier<Set<String>> live, HomeOverrides inherited) {
        this.settings = settings;
        this.live = live;
        this.table = inherited;
    }

    HomeOverrides current() {
        return table;
    }

    /** A peer's table from its heartbeat: adopted when newer. Returns true when it replaced this one. */
    synchronized boolean learn(String peer, io.meshgate.proto.relay.HomeOverrides heard) {
        HomeOverrides theirs = HomeOverrides.fromProto(heard);
        if (!theirs.newerThan(table)) {
            return false;
        }
        LOG.info("region {} adopted home overrides version {} (by {}) learnt from region {}: {}; failed over {},"
                + " pins {}", settings.region(), theirs.version(), theirs.author(), peer, theirs.last(),
                theirs.evacuatedSorted(), theirs.pins().size());
        table = theirs;
        return true;
    }

    /** Decides an operator's change; answers with the request, {@code changed}, {@code refusal} and the table. */
    synchronized HomeChange change(HomeChange request) {
        HomeChange.Builder answer = request.toBuilder().clearChanged().clearRefusal();
        String refusal = refusal(request);
        HomeOverrides next = refusal == null ? apply(request) : null;
        if (refusal != null) {
            answer.setRefusal(refusal);
        } else if (next != null) {
            table = next;
            answer.setChanged(true);
            LOG.info("region {} made home overrides version {}: {}; failed over {}, pins {}", settings.region(),
                    next.version(), next.last(), next.evacuatedSorted(), next.pins().size());
        }
        return answer.setTable(table.toProto()).build();
    }

    /** Why the change must not be made, or null. */
    private String refusal(HomeChange request) {
        String region = request.getRegion();
        String channel = request.getChannel();
        HomeChange.Op op = request.getOp();
        boolean needsRegion = op == HomeChange.Op.EVACUATE || op == HomeChange.Op.READMIT || op == HomeChange.Op.PIN;
        boolean needsChannel = op == HomeChange.Op.PIN || op == HomeChange.Op.UNPIN;
        if (op == HomeChange.Op.OP_UNSPECIFIED || op == HomeChange.Op.UNRECOGNIZED) {
            return "unknown change";
        }
        if (needsRegion && !settings.regions().contains(region)) {
            return "region " + region + " is not in the configuration";
        }
        if (needsChannel && !ChannelNames.isValid(channel)) {
            return "not a valid channel name";
        }
        if (!Homes.rehomes(settings)) {
            return "channel homes move only with mesh.durability: region and three or more regions";
        }
        Set<String> now = live.get();
        HomeOverrides current = table;
        switch (op) {
            case EVACUATE -> {
                Set<String> left = new TreeSet<>(now);
                left.removeAll(current.evacuated());
                left.remove(region);
                if (!current.evacuated().contains(region) && left.isEmpty()) {
                    return "failing over " + region + " would leave no live region to home its channels (live: "
                            + new TreeSet<>(now) + ", failed over: " + current.evacuatedSorted() + ")";
                }
            }
            case READMIT -> {
                if (current.evacuated().contains(region) && !now.contains(region)) {
                    return "region " + region + " is not live (down, or back for less than mesh.failbackHoldMs):"
                            + " restore it once it is ready";
                }
            }
            case PIN -> {
                if (region.equals(current.pinOf(channel))) {
                    return null;
                }
                if (!now.contains(region)) {
                    return "region " + region + " is not live: pinning " + channel + " there would leave it"
                            + " without a home";
                }
                if (current.evacuated().contains(region)) {
                    return "region " + region + " is failed over: restore it first";
                }
                if (current.pinOf(channel) == null && current.pins().size() >= HomeOverrides.MAX_PINS) {
                    return "already " + HomeOverrides.MAX_PINS + " channels pinned (the most the mesh keeps)";
                }
            }
            default -> {
                // UNPIN: always safe, the ranking takes over.
            }
        }
        return null;
    }

    /** The table after the change, or null when it already says so. */
    private HomeOverrides apply(HomeChange request) {
        HomeOverrides current = table;
        Set<String> evacuated = new HashSet<>(current.evacuated());
        Map<String, String> pins = new HashMap<>(current.pins());
        boolean changed = switch (request.getOp()) {
            case EVACUATE -> evacuated.add(request.getRegion());
            case READMIT -> evacuated.remove(request.getRegion());
            case PIN -> !request.getRegion().equals(pins.put(request.getChannel(), request.getRegion()));
            case UNPIN -> pins.remove(request.getChannel()) != null;
            default -> false;
        };
        String what = request.getOp() + " " + request.getRegion() + (request.getChannel().isEmpty() ? ""
                : (request.getRegion().isEmpty() ? "" : " ") + "channel " + request.getChannel());
        return changed ? new HomeOverrides(current.version() + 1, settings.region(), evacuated, pins,
                new HomeOverrides.Change(what.strip(), request.getRequestedBy(), request.getReason())) : null;
    }
}
