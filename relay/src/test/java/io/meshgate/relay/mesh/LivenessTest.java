package io.meshgate.relay.mesh;

import io.meshgate.relay.testkit.ManualClock;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The liveness view on a manual clock: who may be home, when a region that came back may be again, leaving. */
class LivenessTest {
    private static final long HOLD = 2_000;
    private static final long HEARTBEAT = 500;
    private static final long GRACE = 5_000;

    private final ManualClock clock = new ManualClock();
    private final Set<String> reachable = new HashSet<>();
    private final MeshSettings settings = new MeshSettings("us-east",
            Map.of("eu-west", List.of(), "ap-south", List.of()), Durability.REGION, HEARTBEAT, 4, 2, 100, GRACE,
            5_000, HOLD, Map.of(), null);

    private Liveness fresh(Set<String> inherited) {
        return new Liveness(settings, Homes.quorum(settings), clock, reachable::contains, inherited);
    }

    @Test
    void aFreshRegionServesOnlyAfterItReachedEveryRegionForTheHold() {
        Liveness live = fresh(Set.of());
        live.update();
        assertFalse(live.canServe(), "no links: not live");
        reachable.addAll(Set.of("eu-west", "ap-south"));
        live.update();
        clock.advance(HOLD);
        live.update();
        assertEquals(Set.of("eu-west", "ap-south"), live.live(),
                "peers after the hold; this region waits one heartbeat more, so it never counts itself home first");
        clock.advance(HEARTBEAT);
        live.update();
        assertFalse(live.canServe(), "not before the others count it live too");
        live.peerView("eu-west", Set.of("eu-west", "us-east"));
        live.update();
        clock.advance(HOLD + HEARTBEAT);
        live.update();
        assertTrue(live.canServe(), "a quorum (itself and eu-west) counts it live");
    }

    @Test
    void aStartingRegionThatReachesOnlyAQuorumWaitsForTheOthersAWhile() {
        Liveness live = fresh(Set.of());
        reachable.add("eu-west");
        live.peerView("eu-west", Set.of("us-east"));
        live.update();
        clock.advance(HOLD + HEARTBEAT);
        live.update();
        assertFalse(live.canServe(), "ap-south may still be dialing");
        clock.advance(GRACE - HOLD - HEARTBEAT);
        live.update();
        clock.advance(HOLD + HEARTBEAT);
        live.update();
        assertTrue(live.canServe(), "a quorum is enough once the wait is over");
        assertEquals(Liveness.RegionState.DOWN, live.state("ap-south"));
    }

    @Test
    void aPeerLeavesAtOnceAndComesBackOnlyAfterAnUnbrokenHold() {
        Liveness live = servingWithBothPeers();
        reachable.remove("ap-south");
        live.update();
        assertEquals(Set.of("us-east", "eu-west"), live.live(), "down at once");
        reachable.add("ap-south");
        live.update();
        clock.advance(HOLD - 1);
        live.update();
        assertEquals(Liveness.RegionState.HOLDING, live.state("ap-south"));
        reachable.remove("ap-south");
        live.update();
        reachable.add("ap-south");
        live.update();
        clock.advance(HOLD - 1);
        live.update();
        assertFalse(live.live().contains("ap-south"), "a break restarts the hold");
        clock.advance(1);
        live.update();
        assertTrue(live.live().contains("ap-south"));
    }

    @Test
    void aRegionCutOffFromTheMajorityStopsServingAtOnce() {
        Liveness live = servingWithBothPeers();
        reachable.clear();
        live.update();
        assertFalse(live.canServe());
        assertEquals(Set.of(), live.live());
    }

    @Test
    void aLeaderThatLeavesWithASuccessorKeepsItsRegionLiveUntilTheNewLeaderLinks() {
        Liveness live = servingWithBothPeers();
        live.leaving("eu-west", true);
        reachable.remove("eu-west");
        live.update();
        clock.advance(2 * GRACE - 1);
        live.update();
        assertTrue(live.live().contains("eu-west"), "no re-homing while its next leader dials in");
        reachable.add("eu-west");
        live.linked("eu-west");
        clock.advance(10);
        live.update();
        assertEquals(Liveness.RegionState.LIVE, live.state("eu-west"), "no hold: it never left");

        live.leaving("ap-south", true);
        reachable.remove("ap-south");
        clock.advance(2 * GRACE);
        live.update();
        assertFalse(live.live().contains("ap-south"), "no new leader within the grace: down");
    }

    @Test
    void theLastNodeLeavingTakesItsRegionDownAtOnceAndANewLeaderInheritsTheView() {
        Liveness live = servingWithBothPeers();
        live.leaving("ap-south", false);
        assertFalse(live.live().contains("ap-south"));

        reachable.clear();
        Liveness successor = fresh(Set.of("us-east", "eu-west", "ap-south"));
        assertTrue(successor.canServe(), "a new leader of a live region serves at once");
        reachable.add("eu-west");
        successor.update();
        assertTrue(successor.canServe(), "the inherited view: live while the others keep it live");
        successor.peerView("eu-west", Set.of("eu-west", "us-east"));
        successor.update();
        assertEquals(Liveness.RegionState.LIVE, successor.state("us-east"),
                "live at once: eu-west still counts it live");

        Liveness stale = fresh(Set.of("us-east", "eu-west", "ap-south"));
        stale.peerView("eu-west", Set.of("eu-west", "ap-south"));
        stale.update();
        assertFalse(stale.canServe(), "a new leader whose peers count its region down does not take channels back");
    }

    @Test
    void aRegionThatComesBackCountsItselfLiveOnceEveryReachablePeerCountedItDownThenLive() {
        Liveness live = servingWithBothPeers();
        reachable.clear();
        live.update();
        assertFalse(live.canServe(), "cut off");
        reachable.addAll(Set.of("eu-west", "ap-south"));
        live.peerView("eu-west", Set.of("eu-west", "ap-south"));
        live.peerView("ap-south", Set.of("eu-west", "ap-south"));
        live.update();
        assertEquals(Liveness.RegionState.DOWN, live.state("us-east"), "the peers hold it");
        clock.advance(HOLD);
        assertTrue(live.peerView("eu-west", Set.of("eu-west", "ap-south", "us-east")), "news: re-evaluate now");
        live.update();
        assertFalse(live.canServe(), "ap-south still holds it: every reachable peer must agree, not a quorum");
        assertEquals(Liveness.RegionState.HOLDING, live.state("us-east"));
        live.peerView("ap-south", Set.of("eu-west", "ap-south", "us-east"));
        live.update();
        assertTrue(live.canServe(), "every peer ended its hold: no second hold of HOLD + HEARTBEAT");
        assertEquals(Liveness.RegionState.LIVE, live.state("us-east"));
    }

    @Test
    void aFreshRegionWhosePeersCountedItDownThenLiveServesWithoutASecondHold() {
        Liveness live = fresh(Set.of());
        reachable.addAll(Set.of("eu-west", "ap-south"));
        live.peerView("eu-west", Set.of("eu-west", "ap-south"));
        live.peerView("ap-south", Set.of("eu-west", "ap-south"));
        live.update();
        clock.advance(HOLD);
        live.peerView("eu-west", Set.of("eu-west", "ap-south", "us-east"));
        live.peerView("ap-south", Set.of("eu-west", "ap-south", "us-east"));
        live.update();
        assertTrue(live.canServe());
    }

    @Test
    void oldViewsAndReplacedLinksConfirmNothingAndTheHoldStays() {
        Liveness live = servingWithBothPeers();
        reachable.clear();
        live.update();
        reachable.addAll(Set.of("eu-west", "ap-south"));
        live.update();
        assertEquals(Liveness.RegionState.HOLDING, live.state("us-east"),
                "the views from before it went down still count it live: the slow path");
        live.peerView("eu-west", Set.of("eu-west", "ap-south", "us-east"));
        live.peerView("ap-south", Set.of("eu-west", "ap-south", "us-east"));
        live.update();
        assertFalse(live.canServe(), "peers that never counted it down since: maybe old news, the hold stays");

        live.peerView("eu-west", "old link", Set.of("eu-west", "ap-south"));
        live.peerView("eu-west", "new link", Set.of("eu-west", "ap-south", "us-east"));
        live.peerView("ap-south", Set.of("eu-west", "ap-south"));
        live.peerView("ap-south", Set.of("eu-west", "ap-south", "us-east"));
        live.update();
        assertFalse(live.canServe(), "down on one link, live on another: no order between them, the hold stays");

        clock.advance(HOLD + HEARTBEAT);
        live.update();
        assertTrue(live.canServe(), "the hold still ends it");
    }

    @Test
    void aPeerReachableOnlyThroughARelaySendsNoHeartbeatAndKeepsTheHold() {
        Liveness live = servingWithBothPeers();
        reachable.clear();
        live.update();
        reachable.addAll(Set.of("eu-west", "ap-south"));
        live.peerView("eu-west", Set.of("eu-west", "ap-south"));
        live.update();
        live.peerView("eu-west", Set.of("eu-west", "ap-south", "us-east"));
        live.update();
        assertFalse(live.canServe(), "ap-south (reached through eu-west) has said nothing since");
        reachable.remove("ap-south");
        live.update();
        assertTrue(live.canServe(), "only eu-west is reachable, and it is a quorum with this region");
    }

    private Liveness servingWithBothPeers() {
        Liveness live = fresh(Set.of());
        reachable.addAll(Set.of("eu-west", "ap-south"));
        live.peerView("eu-west", Set.of("us-east", "eu-west", "ap-south"));
        live.peerView("ap-south", Set.of("us-east", "eu-west", "ap-south"));
        live.update();
        clock.advance(HOLD + HEARTBEAT);
        live.update();
        assertEquals(Set.of("us-east", "eu-west", "ap-south"), live.live());
        return live;
    }
}
