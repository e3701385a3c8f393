package io.meshgate.relay.mesh;

import io.meshgate.relay.history.ChannelState;
import io.meshgate.relay.testkit.ManualClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The home's bookkeeping of what lagging regions have stored, on a clock the test moves. */
class RetentionFloorsTest {
    private static final long NONE = ChannelState.NO_RETENTION_FLOOR;
    private static final long KEEP = ChannelState.KEEP_RETENTION_FLOOR;
    private static final long EXPIRY_MS = 600_000;
    private static final Set<String> BOTH = Set.of("eu-west", "ap-south");

    private final ManualClock clock = new ManualClock();
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

    private RetentionFloors floors(int maxChannels) {
        return new RetentionFloors(List.of("eu-west", "ap-south"), maxChannels, EXPIRY_MS, clock, meters);
    }

    @Test
    void theFloorIsTheLowestMarkOfTheInterestedRegions() {
        RetentionFloors floors = floors(100);
        assertEquals(NONE, floors.floor("ch", Set.of()), "no region with interest: nothing kept back");
        floors.stored("eu-west", "ch", 40);
        floors.stored("ap-south", "ch", 12);
        assertEquals(12, floors.floor("ch", BOTH), "ap-south lags");
        assertEquals(40, floors.floor("ch", Set.of("eu-west")), "only regions with interest count");
        assertEquals(KEEP, floors.floor("other", BOTH), "per channel: nothing heard of \"other\" yet");

        floors.stored("ap-south", "ch", 50);
        assertEquals(40, floors.floor("ch", BOTH), "ap-south caught up; eu-west is lowest now");
        floors.stored("eu-west", "ch", 30);
        assertEquals(40, floors.floor("ch", BOTH), "a late, lower reply does not lower a mark");
    }

    @Test
    void marksSayNothingForUnknownRegionsOrAnEmptyStore() {
        RetentionFloors floors = floors(100);
        floors.stored("mars", "ch", 5);
        floors.stored("eu-west", "ch", 0);
        assertEquals(NONE, floors.floor("ch", Set.of("mars")), "mars is no peer: it never counts");
        assertEquals(0, floors.channels(), "nothing recorded");
    }

    @Test
    void aSilentRegionsMarkExpiresSoItCannotPinHistoryForever() {
        RetentionFloors floors = floors(100);
        floors.stored("eu-west", "ch", 10);
        floors.stored("ap-south", "ch", 90);
        clock.advance(EXPIRY_MS - 1);
        floors.stored("ap-south", "ch", 95);
        assertEquals(10, floors.floor("ch", BOTH), "eu-west still counts just before its mark expires");
        clock.advance(1);
        assertEquals(95, floors.floor("ch", BOTH), "eu-west said nothing for history.ttlMs: it no longer counts");
        clock.advance(EXPIRY_MS);
        assertEquals(NONE, floors.floor("ch", BOTH), "a table older than expiryMs knows a missing mark means silence");
        assertEquals(0, floors.channels(), "expired marks are removed");

        floors.stored("eu-west", "ch", 11);
        assertEquals(11, floors.floor("ch", BOTH), "a region that speaks again counts again");
    }

    @Test
    void aRegionThatLostInterestStopsCountingAtOnce() {
        RetentionFloors floors = floors(100);
        floors.stored("eu-west", "ch", 10);
        assertEquals(NONE, floors.floor("ch", Set.of()), "no region with interest: nothing kept back");
        assertEquals(0, floors.channels(), "and its mark is dropped");
        clock.advance(EXPIRY_MS);
        assertEquals(NONE, floors.floor("ch", BOTH), "gone for good, until it stores again");
    }

    @Test
    void theTableIsBoundedAndANewChannelPastTheBoundIsNotTracked() {
        RetentionFloors floors = floors(2);
        floors.stored("eu-west", "a", 1);
        floors.stored("eu-west", "b", 1);
        floors.stored("ap-south", "b", 2);
        floors.stored("eu-west", "c", 1);
        assertEquals(2, floors.channels());
        assertEquals(KEEP, floors.floor("c", BOTH), "c was not tracked: its state keeps the floor it has");
        assertEquals(1.0, meters.get("meshgate.history.retention.untracked").counter().count());
        floors.stored("eu-west", "a", 5);
        assertEquals(5, floors.floor("a", Set.of("eu-west")), "tracked channels still update");

        clock.advance(EXPIRY_MS);
        floors.stored("eu-west", "c", 3);
        assertEquals(3, floors.floor("c", Set.of("eu-west")), "expired marks make room when the table is full");
        assertEquals(1, floors.channels());
    }

    /**
     * A new mesh leader starts with no marks, and the region that lags is the one that does not reply. Until it has
     * heard from every region with interest (or run for expiryMs), it must not hand the sequencer "no floor", or the
     * next sequencing step trims what the lagging region needs (the floor the old leader left in the channel state).
     */
    @Test
    void aNewLeaderKeepsTheStoredFloorUntilItHasHeardFromEveryRegionWithInterest() {
        RetentionFloors floors = floors(100);
        assertEquals(KEEP, floors.floor("ch", BOTH), "nothing heard yet: keep the channel state's floor");
        floors.stored("eu-west", "ch", 40);
        assertEquals(KEEP, floors.floor("ch", BOTH), "ap-south (the lagging one) has not replied");
        assertEquals(40, floors.floor("ch", Set.of("eu-west")), "every region with interest heard from");
        floors.stored("ap-south", "ch", 12);
        assertEquals(12, floors.floor("ch", BOTH));

        clock.advance(EXPIRY_MS - 1);
        assertEquals(KEEP, floors.floor("never-heard", BOTH), "still young enough to not know");
        clock.advance(1);
        assertEquals(NONE, floors.floor("never-heard", BOTH),
                "a region silent for expiryMs after the leader started no longer counts");
    }

    @Test
    void badBoundsAreRefused() {
        assertThrows(IllegalArgumentException.class,
                () -> new RetentionFloors(List.of("eu-west"), 0, EXPIRY_MS, clock, meters));
        assertThrows(IllegalArgumentException.class,
                () -> new RetentionFloors(List.of("eu-west"), 10, 0, clock, meters));
    }
}
