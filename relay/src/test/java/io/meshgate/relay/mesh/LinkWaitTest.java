package io.meshgate.relay.mesh;

import io.meshgate.proto.relay.LinkFrame;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Publishes for a live region without a link wait for it, in order, and are never held past their bound. */
class LinkWaitTest {
    private final Set<String> routed = new HashSet<>();
    private final Set<String> live = new HashSet<>(Set.of("eu-west", "ap-south"));
    private final List<Runnable> timers = new ArrayList<>();
    private final List<String> sent = new ArrayList<>();
    private final LinkWait wait = new LinkWait(routed::contains, live::contains,
            (delayMs, task) -> timers.add(task), 2_500, 3);

    private CompletableFuture<LinkFrame> publish(String target, String id) {
        return wait.publish(target, () -> {
            sent.add(target + ":" + id);
            return CompletableFuture.completedFuture(LinkFrame.getDefaultInstance());
        });
    }

    @Test
    void aLiveRegionWithoutALinkHoldsPublishesUntilItLinksThenSendsThemInOrder() {
        CompletableFuture<LinkFrame> first = publish("eu-west", "1");
        routed.add("eu-west"); // linked, but the waiting one is not released yet: the next must not overtake it
        CompletableFuture<LinkFrame> second = publish("eu-west", "2");
        assertTrue(sent.isEmpty(), "held while the region has no link, and later ones behind the first");
        assertFalse(first.isDone());

        wait.changed();
        assertEquals(List.of("eu-west:1", "eu-west:2"), sent);
        assertTrue(first.isDone() && second.isDone());
        publish("eu-west", "3");
        assertEquals("eu-west:3", sent.get(2), "with the link up, a publish goes at once");
    }

    @Test
    void aRegionNotLiveOrPastTheWaitFailsAsBeforeAndTheBoundHolds() {
        live.remove("ap-south");
        publish("ap-south", "x");
        assertEquals(List.of("ap-south:x"), sent, "a region out of the view is not waited for");

        publish("eu-west", "1");
        publish("eu-west", "2");
        publish("eu-west", "3");
        assertTrue(publish("eu-west", "4").isCompletedExceptionally(), "at most maxWaiting wait per region");
        assertEquals(1, timers.size());
        timers.get(0).run();
        assertEquals(List.of("ap-south:x", "eu-west:1", "eu-west:2", "eu-west:3"), sent,
                "after the wait they go the normal way (which fails them while there is still no path)");
        assertEquals(0, wait.waiting());

        publish("eu-west", "5");
        live.remove("eu-west");
        wait.changed();
        assertEquals("eu-west:5", sent.get(4), "a region that left the view releases its waiting publishes");
    }
}
