package io.meshgate.relay.mesh;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The home refuses a forwarded publish that a later one of the same sender overtook on another path. */
class ForwardOrderTest {
    @Test
    void anOvertakenPublishIsRefusedAndEveryOtherIsTaken() {
        ForwardOrder order = new ForwardOrder(2);
        assertTrue(order.admit("s1", "ch", 5));
        assertTrue(order.admit("s1", "ch", 7), "the later one, on the new path, arrives first");
        assertFalse(order.admit("s1", "ch", 6), "the overtaken one is refused: its sender was told it failed");
        assertTrue(order.admit("s1", "other", 6), "per channel");
        assertTrue(order.admit("s2", "ch", 1), "per session: another leader counts from its own start");
        assertTrue(order.admit("", "ch", 0), "a publish without an order (made here) is always taken");
        assertTrue(order.admit("s1", "ch", 3), "bounded: the oldest pair was forgotten");
    }
}
