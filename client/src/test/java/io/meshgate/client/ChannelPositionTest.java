package io.meshgate.client;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ChannelPositionTest {
    @Test
    void nothingPassesBeforeThePositionIsKnown() {
        ChannelPosition p = new ChannelPosition(null, 1_000);
        assertNull(p.position());
        assertFalse(p.accept("e", 1, "m1"), "a live subscription starts at the head the server reports");
        p.startAt(new Position("e", 5));
        assertEquals(new Position("e", 5), p.position());
        assertFalse(p.accept("e", 5, "m5"));
        assertTrue(p.accept("e", 6, "m6"));
        assertEquals(new Position("e", 6), p.position());
    }

    @Test
    void aResubscribeKeepsThePositionOfWhatWasHandedOver() {
        ChannelPosition p = new ChannelPosition(new Position("e", 41), 1_000);
        p.startAt(new Position("e2", 90));
        assertEquals(new Position("e", 41), p.position(), "the head of a later subscribe does not move it");
        assertTrue(p.accept("e2", 42, "a"));
        assertEquals(new Position("e2", 42), p.position(), "the epoch follows the messages");
    }

    @Test
    void neverTheSameSeqTwiceNorAnOlderOne() {
        ChannelPosition p = new ChannelPosition(new Position("e", 0), 1_000);
        assertTrue(p.accept("e", 1, "a"));
        assertTrue(p.accept("e", 2, "b"));
        assertFalse(p.accept("e", 2, "b"), "a repeat after a resume");
        assertFalse(p.accept("e", 1, "a"), "older");
        assertTrue(p.accept("e", 4, "d"), "a higher seq passes: the server says gap when something is missing");
    }

    @Test
    void neverTheSameIdTwiceWithinTheWindow() {
        ChannelPosition p = new ChannelPosition(new Position("e", 0), 3);
        assertTrue(p.accept("e", 1, "a"));
        assertFalse(p.accept("e", 2, "a"), "an id seen lately does not pass under a new seq");
        assertTrue(p.accept("e", 3, "b"));
        assertTrue(p.accept("e", 4, "c"));
        assertTrue(p.accept("e", 5, "d"));
        assertTrue(p.accept("e", 6, "a"), "only the last 3 ids are remembered");
    }

    @Test
    void aGapMovesThePositionToItsEnd() {
        ChannelPosition p = new ChannelPosition(new Position("e", 10), 1_000);
        p.skipTo(20);
        assertEquals(new Position("e", 20), p.position());
        assertFalse(p.accept("e", 15, "x"), "inside the gap");
        p.skipTo(12);
        assertEquals(20, p.position().seq(), "an older gap does not move it back");
        assertTrue(p.accept("e", 21, "y"));
    }
}
