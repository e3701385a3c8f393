package io.meshgate.relay.mesh;

import io.meshgate.relay.history.ChannelState;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The home's bookkeeping of what lagging regions have stored, on a clock the test moves. */
class RetentionFloorsTest {
    private static final long NONE = ChannelState.NO_RETENTION_FLOOR;
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
        assertEquals(NONE, floors.floor("ch", BOTH), "nothing known: nothing kept back");
        floors.stored("eu-west", "ch", 40);
        floors.stored("ap-south", "ch", 12);
        assertEquals(12, floors.floor("ch", BOTH), "ap-south lags");
        assertEquals(40, floors.floor("ch", Set.of("eu-west")), "only regions with interest count");
        assertEquals(NONE, floors.floor("other", BOTH), "per channel");

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
        assertEquals(NONE, floors.floor("ch", Set.of("mars", "eu-west")));
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
        assertEquals(NONE, floors.floor("ch", BOTH));
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
        assertEquals(NONE, floors.floor("c", BOTH), "c was not tracked");
        assertEquals(1.0, meters.get("meshgate.history.retention.untracked").counter().count());
        floors.stored("eu-west", "a", 5);
        assertEquals(5, floors.floor("a", BOTH), "tracked channels still update");

        clock.advance(EXPIRY_MS);
        floors.stored("eu-west", "c", 3);
        assertEquals(3, floors.floor("c", BOTH), "expired marks make room when the table is full");
        assertEquals(1, floors.channels());
    }

    @Test
    void badBoundsAreRefused() {
        assertThrows(IllegalArgumentException.class,
                () -> new RetentionFloors(List.of("eu-west"), 0, EXPIRY_MS, clock, meters));
        assertThrows(IllegalArgumentException.class,
                () -> new RetentionFloors(List.of("eu-west"), 10, 0, clock, meters));
    }
}
