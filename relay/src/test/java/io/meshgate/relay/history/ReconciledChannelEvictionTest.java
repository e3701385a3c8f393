package io.meshgate.relay.history;

import io.meshgate.relay.testkit.ManualClock;
import io.meshgate.relay.testkit.TestRegion;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 11, attack 3 in a mesh: every channel subscribed to there is reconciled (a term, a fence, an owner), and such
 * state never counted as idle, so a client cycling through channel names filled {@code history.maxChannels} in every
 * region for good (an outside check refused new channels in both regions of a two-region mesh, with no end in
 * sight). Now a channel that never had a message and holds only what a reconciliation left is dropped once it has
 * stayed so for {@link ChannelStore#EMPTY_RECONCILED_MIN_AGE_MS}; a channel with a message or a subscriber is kept,
 * and a new reconciliation starts the wait over. A real two-member region on manual clocks, swept as the region's
 * housekeeping does.
 */
class ReconciledChannelEvictionTest {
    private static final long AGE = ChannelStore.EMPTY_RECONCILED_MIN_AGE_MS;
    private final ManualClock clock0 = new ManualClock();
    private final ManualClock clock1 = new ManualClock();
    private TestRegion region;
    private ChannelStore store;

    @BeforeEach
    void start() {
        region = TestRegion.start(HistoryLimits.DEFAULTS, clock0, clock1);
        store = region.member(0).store();
    }

    @AfterEach
    void stop() {
        region.close();
    }

    private void advance(long ms) {
        clock0.advance(ms);
        clock1.advance(ms);
    }

    private boolean held(String channel) {
        return region.hazelcast(1).getMap(ChannelStore.MAP_NAME).containsKey(channel);
    }

    @Test
    void aReconciledChannelThatNeverHadAMessageGoesAfterTheMinimumAge() {
        String fenced = "fenced-" + UUID.randomUUID();
        String owned = "owned-" + UUID.randomUUID();
        join(store.fence(fenced, 1, "eu-west", 10));
        join(store.fence(owned, 1, "us-east", 10)); // a home fences its own region first, then adopts
        join(store.adopt(owned, 1, "us-east", "e-1", List.of(), 0, 0, List.of()));
        assertTrue(held(fenced) && held(owned), "a reconciliation leaves state");
        assertTrue(((ChannelState) region.hazelcast(1).getMap(ChannelStore.MAP_NAME).get(owned)).ownedBy("us-east"),
                "the home's own state names it owner");

        store.evictIdle();
        assertTrue(held(fenced) && held(owned), "the first sweep only marks them");
        advance(AGE - 1);
        store.evictIdle();
        assertTrue(held(fenced) && held(owned), "kept for the minimum age");
        advance(1);
        assertEquals(2, store.evictIdle());
        assertFalse(held(fenced) || held(owned), "then dropped, the home's own too");
    }

    @Test
    void aNewTermOrASubscriberStartsTheWaitOver() {
        String refenced = "refenced-" + UUID.randomUUID();
        String subscribed = "subscribed-" + UUID.randomUUID();
        UUID member = region.member(0).memberId();
        join(store.fence(refenced, 1, "eu-west", 10));
        join(store.fence(subscribed, 1, "eu-west", 10));
        store.evictIdle();
        advance(AGE / 2);
        join(store.fence(refenced, 2, "ap-south", 10));
        join(store.subscribe(subscribed, member, 0, 10));
        advance(AGE / 2);
        store.evictIdle();
        assertTrue(held(refenced), "re-marked when its fence changed");
        assertTrue(held(subscribed), "a subscriber keeps it");
        join(store.unsubscribe(subscribed, member));
        advance(AGE - 1);
        store.evictIdle();
        assertTrue(held(refenced) && held(subscribed), "each waits the whole age again");
        advance(AGE);
        store.evictIdle();
        assertFalse(held(refenced) || held(subscribed));
    }

    @Test
    void aChannelThatHadAMessageKeepsItsHead() {
        String published = "published-" + UUID.randomUUID();
        join(store.sequence(published, List.of(new PublishRequest("m-1", "1"))));
        join(store.fence(published, 2, "eu-west", 10));
        store.evictIdle();
        advance(10 * AGE);
        store.evictIdle();
        assertEquals(1, join(store.read(published, 0, 10)).head(), "its seqs are never reused");
    }

    private static <T> T join(CompletionStage<T> stage) {
        try {
            return stage.toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("store call failed or timed out", e);
        }
    }
}
