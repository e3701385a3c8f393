package io.meshgate.client;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RegionCursorTest {
    private static RegionCursor cursorOver(String... names) {
        List<ListedRegion> listed = new java.util.ArrayList<>();
        Map<String, List<Long>> probes = new java.util.HashMap<>();
        for (int i = 0; i < names.length; i++) {
            listed.add(new ListedRegion(names[i], "ws://" + names[i] + "/v1/ws", "http://" + names[i], true));
            probes.put(names[i], List.of((i + 1) * 1_000_000L));
        }
        return new RegionCursor(RegionRanking.rank(listed, probes), 2);
    }

    @Test
    void movesToTheNextRegionAfterTwoFailuresInARow() {
        RegionCursor cursor = cursorOver("near", "middle", "far");
        assertEquals("near", cursor.current().name());
        cursor.failed();
        assertEquals("near", cursor.current().name(), "one failure is not enough to leave a region");
        cursor.failed();
        assertEquals("middle", cursor.current().name());
        assertEquals(0, cursor.failuresInARow());
    }

    @Test
    void aStableConnectionForgivesEarlierFailures() {
        RegionCursor cursor = cursorOver("near", "far");
        cursor.failed();
        cursor.succeeded();
        cursor.failed();
        assertEquals("near", cursor.current().name(), "the failures were not in a row");
    }

    @Test
    void isExhaustedOnceEveryRegionFailedTwice() {
        RegionCursor cursor = cursorOver("near", "far");
        for (int i = 0; i < 3; i++) {
            cursor.failed();
        }
        assertFalse(cursor.exhausted());
        cursor.failed();
        assertTrue(cursor.exhausted(), "time to rank again");
        assertNull(cursor.current());
        cursor.failed(); // no effect once exhausted
        assertTrue(cursor.exhausted());
    }

    @Test
    void aMoveWithoutUrlGoesToTheNextRegionAtOnce() {
        RegionCursor cursor = cursorOver("near", "far");
        cursor.failed();
        cursor.next();
        assertEquals("far", cursor.current().name());
        assertEquals(0, cursor.failuresInARow());
    }
}
