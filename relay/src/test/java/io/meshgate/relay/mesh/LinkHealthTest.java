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
}
