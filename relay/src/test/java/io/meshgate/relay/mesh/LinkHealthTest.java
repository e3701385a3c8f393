package io.meshgate.relay.mesh;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LinkHealthTest {
    @Test
    void upOnlyAfterEnoughAnswersAndDownOnlyAfterEnoughMisses() {
        LinkHealth health = new LinkHealth("eu-west", 3, 2);
        assertEquals(LinkHealth.LinkState.CONNECTING, health.state());
        health.sending(1);
        assertFalse(health.answered(1, 1000), "one answer is not enough");
        health.sending(2);
        assertTrue(health.answered(2, 3000), "the second turns it up");
        assertTrue(health.isUp());
        health.sending(3);
        health.sending(4);
        health.sending(5);
        assertTrue(health.isUp(), "two misses do not flap it");
        health.sending(6);
        assertFalse(health.isUp(), "the third miss in a row takes it down");
        assertEquals(LinkHealth.LinkState.DOWN, health.state());
        assertFalse(health.answered(5, 10), "a stale answer counts for nothing");
        health.answered(6, 2000);
        assertFalse(health.isUp());
        health.sending(7);
        assertTrue(health.answered(7, 2000));
    }

    @Test
    void rttIsSmoothed() {
        LinkHealth health = new LinkHealth("eu-west", 3, 1);
        health.sending(1);
        health.answered(1, 8000);
        assertEquals(8000, health.rttMicros());
        health.sending(2);
        health.answered(2, 16000);
        assertEquals(9000, health.rttMicros());
    }

    /**
     * Rounds that piled up behind a busy conductor run back to back: a probe out for less than half an interval is
     * not missed, stays the one in flight, and its answer still counts.
     */
    @Test
    void aProbeOutForLessThanHalfAnIntervalIsNotCountedMissed() {
        long ms = 1_000_000L;
        LinkHealth health = new LinkHealth("eu-west", 2, 1, 100, (p, s) -> { });
        assertTrue(health.sending(1, 0));
        assertTrue(health.answered(1, 500));
        assertTrue(health.sending(2, 100 * ms));
        assertTrue(health.sending(3, 200 * ms), "probe 2 was out for a whole interval: missed (1 of 2)");
        for (int i = 1; i <= 4; i++) {
            assertFalse(health.sending(3 + i, 200 * ms + i * 10 * ms), "rounds back to back send nothing new");
        }
        assertTrue(health.isUp(), "one miss, however many rounds ran");
        assertFalse(health.answered(4, 500), "no later probe went out");
        health.answered(3, 500); // the probe in flight: its answer ends the run of misses
        assertTrue(health.sending(9, 300 * ms));
        assertTrue(health.sending(10, 350 * ms), "out for exactly half an interval: missed (1)");
        assertTrue(health.isUp(), "one miss since the answer");
        assertTrue(health.sending(11, 400 * ms));
        assertFalse(health.isUp(), "two probes missed, each out for half an interval: down");
    }
}
