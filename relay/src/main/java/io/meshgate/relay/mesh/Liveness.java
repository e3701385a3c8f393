package io.meshgate.relay.mesh;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * The one liveness view of a region's mesh leader: which regions may be a channel's home now. {@link Homes} ranks
 * channels over exactly this set (published to the region's other nodes through {@link MeshView}), and readiness
 * asks it whether this region may serve at all.
 *
 * <p>A peer leaves the set at once when no path reaches it, and joins it only after a path has reached it
 * continuously for {@code mesh.failbackHoldMs} ({@link RegionState#HOLDING}): a region that comes back takes its
 * channels back only when its links have proven stable, by the reconciliation every new home runs (it fences the
 * interim home, which finishes in-flight work by having its batches refused and retried by id). This region itself
 * is in the set while it reaches a quorum of regions (when it starts: all regions, for at most
 * {@code mesh.requestTimeoutMs}), after the same hold plus one heartbeat interval, so that it
 * never counts itself home of a channel before its peers count it live (which would make two regions reconcile the
 * same channel against each other); meanwhile a publish sent to it is refused and retried. A peer whose leader said
 * goodbye while another node of its region stays ({@link RegionState#LEAVING}) stays in the set for twice
 * {@code mesh.requestTimeoutMs} while its next leader dials in: draining a node never re-homes anything. This
 * region also needs a quorum of regions to count it live in their heartbeats ({@link #peerView}).
 *
 * <p>That second hold only guesses that the peers have ended theirs. When every reachable peer says so instead, this
 * region does not wait it out ({@link #returnConfirmed}): it counts itself live at once when each reachable peer,
 * on the link its heartbeats now come on, first counted it not live and then live, both since this region last
 * stopped counting itself live. The invariant holds because a link delivers in order: a heartbeat that counts this
 * region live after one that counted it down was sent after that peer ended its own hold, so it is that peer's
 * verdict on this return, not an old one (from before the partition, or a held link flushed after the heal);
 * heartbeats of two links are never compared (the record starts over when the link changes). A peer that never
 * counted it down, or that is reachable only through a relay (no heartbeat of its own), or that still holds it,
 * leaves the slow path in force; every reachable peer, not a quorum, must agree, so no reachable region still ranks
 * homes without this one when it starts to reconcile. Afterwards the quorum rule above applies as before.
 *
 * <p>Threads: {@link #update} and {@link #leaving} run on the leader's timer and link threads and synchronise on
 * this object; {@link #live} and {@link #canServe} may be called from any thread. The clock is injected, so tests
 * drive the hold without sleeping.
 */
final class Liveness {
    private static final Logger LOG = LoggerFactory.getLogger(Liveness.class);

    /** Where a region stands for homing channels. */
    enum RegionState {
        /** No path reaches it (or, for this region, no quorum): it is home of nothing. */
        DOWN,
        /** Reached again, not yet for {@code failbackHoldMs}: still home of nothing. */
        HOLDING,
        /** May be a channel's home. */
        LIVE,
        /** Its leader left while another node of the region stays: still live until the grace ends. */
        LEAVING
    }

    private record Entry(RegionState state, long sinceMs) {
    }

    private final MeshSettings settings;
    private final int quorum;
    private final Clock clock;
    private final Predicate<String> reachable;
    private final java.util.function.BiConsumer<String, RegionState> onMove;
    private final Map<String, Entry> regions = new TreeMap<>();
    /** Per peer, the regions it counted live in its last heartbeat. */
    private final Map<String, Set<String>> peerViews = new java.util.concurrent.ConcurrentHashMap<>();
    /**
     * Per peer, what its heartbeats on one link said about this region since this region last stopped counting
     * itself live (see {@link #returnConfirmed}); under this object's monitor.
     */
    private final Map<String, PeerReturn> returns = new java.util.HashMap<>();

    /**
     * @param link     the link whose heartbeats these were (a new link starts over)
     * @param sawDown  a heartbeat on it counted this region not live
     * @param liveNow  its latest heartbeat counts this region live
     */
    private record PeerReturn(Object link, boolean sawDown, boolean liveNow) {
    }
    private volatile Set<String> live;
    private final long startedMs;
    /** True until this region first counts itself live, when it started without an inherited view. */
    private boolean starting;

    /**
     * @param inherited the regions the region's previous leader counted live (empty for a fresh start): a new
     *                  leader keeps them live while its own links come up, for the leaving grace
     */
    Liveness(MeshSettings settings, int quorum, Clock clock, Predicate<String> reachable,
             Set<String> inherited) {
        this(settings, quorum, clock, reachable, inherited, (r, s) -> { });
    }

    /** @param onMove told (region, new state) on every change of a region's state, under this object's monitor */
    Liveness(MeshSettings settings, int quorum, Clock clock, Predicate<String> reachable,
             Set<String> inherited, java.util.function.BiConsumer<String, RegionState> onMove) {
        this.onMove = onMove;
        this.settings = settings;
        this.quorum = quorum;
        this.clock = clock;
        this.reachable = reachable;
        long now = clock.millis();
        this.startedMs = now;
        this.starting = !inherited.contains(settings.region());
        for (String region : settings.regions()) {
            regions.put(region, new Entry(inherited.contains(region) ? RegionState.LEAVING : RegionState.DOWN, now));
        }
        this.live = computeLive();
    }

    /** Re-evaluates every region from the links now; called after each heartbeat round and link change. */
    synchronized void update() {
        long now = clock.millis();
        int reached = 1;
        int confirmed = 1;
        int reported = 1;
        for (String peer : settings.peers().keySet()) {
            boolean up = reachable.test(peer);
            if (up) {
                reached++;
                Set<String> view = peerViews.get(peer);
                if (view != null) {
                    reported++;
                    if (view.contains(settings.region())) {
                        confirmed++;
                    }
                }
            }
            step(peer, up, settings.failbackHoldMs(), now);
        }
        // A region that starts waits for all its peers (up to mesh.requestTimeoutMs), not only a quorum: with one of
        // them still dialing, it would take that region's channels and give them back moments later.
        boolean everyone = reached == settings.regions().size();
        // ...and only while a quorum of regions count it live as well (their heartbeats say so): a region that came
        // back, or whose new leader starts from an older view, never takes channels the others still home elsewhere.
        boolean selfUp = reached >= quorum && confirmed >= quorum
                && (!starting || everyone || now - startedMs >= settings.requestTimeoutMs());
        Entry self = regions.get(settings.region());
        if (self.state() == RegionState.LEAVING && reported >= quorum && confirmed < quorum) {
            // A new leader that inherited "live" hears that the others count this region down: it waits for them.
            move(settings.region(), self, RegionState.DOWN, now, "the other regions count it down");
        }
        RegionState selfState = regions.get(settings.region()).state();
        if (selfUp && (selfState == RegionState.DOWN || selfState == RegionState.HOLDING) && returnConfirmed()) {
            move(settings.region(), regions.get(settings.region()), RegionState.LIVE, now,
                    "every reachable region counts it live again after counting it down");
        } else {
            step(settings.region(), selfUp, settings.failbackHoldMs() + settings.heartbeatMs(), now);
        }
        if (regions.get(settings.region()).state() == RegionState.LIVE) {
            starting = false;
        }
        live = computeLive();
    }

    /** The peer's leader said goodbye; {@code successor}: another node of its region takes over its links. */
    synchronized void leaving(String peer, boolean successor) {
        Entry entry = regions.get(peer);
        if (entry == null) {
            return;
        }
        if (successor && (entry.state() == RegionState.LIVE || entry.state() == RegionState.LEAVING)) {
            move(peer, entry, RegionState.LEAVING, clock.millis(), "its leader left; another node takes over");
        } else {
            move(peer, entry, RegionState.DOWN, clock.millis(), "its last node left");
        }
        live = computeLive();
    }

    /** The peer's liveness view, from its heartbeat (on one link: tests). */
    boolean peerView(String peer, java.util.Collection<String> live) {
        return peerView(peer, peer, live);
    }

    /**
     * The peer's liveness view, from its heartbeat on {@code link} (only the link its heartbeats now come on: a
     * replaced link's late frames say nothing). Returns true when this heartbeat counts this region live and the
     * peer's previous one on the link did not: time to re-evaluate now rather than at the next heartbeat round.
     */
    synchronized boolean peerView(String peer, Object link, java.util.Collection<String> live) {
        peerViews.put(peer, Set.copyOf(live));
        boolean counted = live.contains(settings.region());
        PeerReturn before = returns.get(peer);
        if (before == null || !before.link().equals(link)) {
            before = new PeerReturn(link, false, false);
        }
        returns.put(peer, new PeerReturn(link, before.sawDown() || !counted, counted));
        return counted && !before.liveNow();
    }

    /**
     * True when every reachable peer has confirmed this region's return: on its current link, a heartbeat counted it
     * not live and a later one, its latest, counts it live (see the class comment for why that is enough).
     */
    private boolean returnConfirmed() {
        for (String peer : settings.peers().keySet()) {
            if (reachable.test(peer)) {
                PeerReturn seen = returns.get(peer);
                if (seen == null || !seen.sawDown() || !seen.liveNow()) {
                    return false;
                }
            }
        }
        return true;
    }

    /** A new link to the peer came up: a leaving peer's next leader is linked. */
    synchronized void linked(String peer) {
        Entry entry = regions.get(peer);
        if (entry != null && entry.state() == RegionState.LEAVING) {
            move(peer, entry, RegionState.LIVE, clock.millis(), "its new leader is linked");
            live = computeLive();
        }
    }

    private void step(String region, boolean up, long holdMs, long now) {
        Entry entry = regions.get(region);
        switch (entry.state()) {
            case DOWN -> {
                if (up) {
                    move(region, entry, holdMs == 0 ? RegionState.LIVE : RegionState.HOLDING, now, "reached");
                }
            }
            case HOLDING -> {
                if (!up) {
                    move(region, entry, RegionState.DOWN, now, "lost before the hold ended");
                } else if (now - entry.sinceMs() >= holdMs) {
                    move(region, entry, RegionState.LIVE, now, "reached for " + holdMs + " ms");
                }
            }
            case LIVE -> {
                if (!up) {
                    move(region, entry, RegionState.DOWN, now, region.equals(settings.region())
                            ? "fewer than " + quorum + " regions reachable" : "no path reaches it");
                }
            }
            case LEAVING -> {
                // A peer's old link may still look up after its goodbye: only a new link (see linked) or this
                // region's own quorum ends the grace early.
                boolean self = region.equals(settings.region());
                if (self && up) {
                    move(region, entry, RegionState.LIVE, now, "quorum reached by the new leader");
                } else if (now - entry.sinceMs() >= leavingGraceMs()) {
                    move(region, entry, up ? RegionState.LIVE : RegionState.DOWN, now, (up ? "" : "no new leader")
                            + " linked within " + leavingGraceMs() + " ms");
                }
            }
            default -> throw new IllegalStateException();
        }
    }

    /**
     * How long a region whose leader left with a successor stays live: twice {@code mesh.requestTimeoutMs}, room for
     * the old leader's Hazelcast leave, the election and the new leader's links on a loaded machine.
     */
    private long leavingGraceMs() {
        return 2 * settings.requestTimeoutMs();
    }

    private void move(String region, Entry from, RegionState to, long now, String reason) {
        if (from.state() == to) {
            return;
        }
        regions.put(region, new Entry(to, now));
        if (region.equals(settings.region()) && to == RegionState.DOWN) {
            // What the peers said before counts no more: a return is confirmed only by what they say after this.
            returns.replaceAll((peer, seen) -> new PeerReturn(seen.link(), false, seen.liveNow()));
        }
        onMove.accept(region, to);
        LOG.info("region {} as seen from {}: {} -> {} ({})", region, settings.region(), from.state(), to, reason);
    }

    private Set<String> computeLive() {
        Set<String> out = new TreeSet<>();
        regions.forEach((region, entry) -> {
            if (entry.state() == RegionState.LIVE || entry.state() == RegionState.LEAVING) {
                out.add(region);
            }
        });
        return Set.copyOf(out);
    }

    /** The regions that may be a channel's home now, this one included when it may serve. */
    Set<String> live() {
        return live;
    }

    /** True when this region may sequence and serve: it reaches a quorum and has for the hold. */
    boolean canServe() {
        return live.contains(settings.region());
    }

    synchronized RegionState state(String region) {
        return regions.get(region).state();
    }
}
