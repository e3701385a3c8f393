package io.meshgate.edge.ops;

import io.meshgate.edge.websocket.ClientMover;
import io.meshgate.relay.testkit.ManualClock;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** When a region's clients are moved away for a cut-off, and when they are not, checked round by round. */
class CutOffMoverTest {
    private static final Map<String, String> URLS = Map.of("us-east", "http://127.0.0.1:1",
            "eu-west", "http://127.0.0.1:2", "ap-south", "https://front.example");

    private final ManualClock clock = new ManualClock();
    private final AtomicBoolean canServe = new AtomicBoolean();
    private final AtomicBoolean servedBefore = new AtomicBoolean();
    private final List<String> orders = new ArrayList<>();
    private final ClientMover mover = new ClientMover() {
        @Override
        public void moveAll(Object by, String reason, String region, String url) {
            orders.add(reason + " " + region + " " + url);
        }

        @Override
        public void stopMoving(Object by) {
            orders.add("stop");
        }
    };
    private final CutOffMover cutOff = new CutOffMover(canServe::get, servedBefore::get, "us-east", URLS, mover,
            clock, 2_000);

    /**
     * A region that served only between two rounds (it reached its quorum and lost it again within one heartbeat)
     * was serving clients all the same: they are moved once the hold is over. Before, a mover that never saw the
     * region serve took it for one still starting and left its clients on a node out of service for good.
     */
    @Test
    void aRegionThatServedBetweenTwoRoundsIsCutOffAfterTheHold() {
        cutOff.check();
        servedBefore.set(true); // served and stopped between the rounds: only the relay's record knows
        cutOff.check();
        assertEquals(List.of(), orders, "not before the hold");
        clock.advance(1_999);
        cutOff.check();
        assertEquals(List.of(), orders, "not before the hold");
        clock.advance(1);
        cutOff.check();
        assertEquals(List.of("failover ap-south wss://front.example/v1/ws"), orders, "first other region by name");
        cutOff.check();
        assertEquals(1, orders.size(), "one order, not one per round");

        canServe.set(true);
        cutOff.check();
        assertEquals("stop", orders.get(1), "serving again: the order is withdrawn");
    }

    /** A node whose region never served is starting: its clients wait, however long it takes. */
    @Test
    void aRegionThatNeverServedIsStartingNotCutOff() {
        for (int i = 0; i < 10; i++) {
            cutOff.check();
            clock.advance(1_000);
        }
        assertEquals(List.of(), orders);
    }

    /** A blip shorter than the hold moves no one: the hold starts over at each return. */
    @Test
    void aBlipShorterThanTheHoldMovesNoOne() {
        canServe.set(true);
        cutOff.check();
        for (int i = 0; i < 5; i++) {
            canServe.set(false);
            cutOff.check();
            clock.advance(1_500);
            cutOff.check();
            canServe.set(true);
            cutOff.check();
        }
        assertEquals(List.of(), orders);
    }
}
