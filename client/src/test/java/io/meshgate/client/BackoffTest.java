package io.meshgate.client;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BackoffTest {
    @Test
    void theCeilingDoublesFrom250MsUpTo30s() {
        Backoff backoff = new Backoff(250, 30_000, new Random(1));
        long[] expected = {250, 500, 1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000};
        for (int n = 0; n < expected.length; n++) {
            assertEquals(expected[n], backoff.ceilingMs(n), "ceiling before retry " + n);
        }
        assertEquals(30_000, backoff.ceilingMs(1_000), "a huge retry count neither overflows nor passes the cap");
    }

    @Test
    void fullJitterSpansZeroToTheCeiling() {
        assertEquals(0, new Backoff(250, 30_000, new ScriptedRandom(0.0)).delayMs(3));
        assertEquals(1_000, new Backoff(250, 30_000, new ScriptedRandom(0.9999999)).delayMs(2));
        assertEquals(125, new Backoff(250, 30_000, new ScriptedRandom(0.5)).delayMs(0));
        Backoff random = new Backoff(250, 30_000, new Random(7));
        for (int i = 0; i < 1_000; i++) {
            long delay = random.delayMs(4);
            assertTrue(delay >= 0 && delay <= 4_000, "delay " + delay + " within [0, 4000]");
        }
    }

    @Test
    void eachRetryRaisesTheCeilingUntilReset() {
        Backoff backoff = new Backoff(250, 30_000, new ScriptedRandom(0.9999999));
        assertEquals(250, backoff.next());
        assertEquals(500, backoff.next());
        assertEquals(1_000, backoff.next());
        assertEquals(3, backoff.attempt());
        backoff.reset();
        assertEquals(250, backoff.next(), "after a stable connection the next retry is retry 0 again");
    }

    @Test
    void refusesACapBelowItsBase() {
        assertThrows(IllegalArgumentException.class, () -> new Backoff(500, 100, new Random()));
        assertThrows(IllegalArgumentException.class, () -> new Backoff(0, 100, new Random()));
    }
}
