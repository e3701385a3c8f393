package io.meshgate.relay.history;

import io.meshgate.relay.channel.Message;
import io.meshgate.relay.channel.Position;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Terms, fences and adoption on one channel's state: what keeps two homes from both making a seq durable. */
class ChannelTermTest {
    private static final long NOW = 1_763_920_000_000L;
    private static final HistoryLimits LIMITS = new HistoryLimits(1000, 600_000, 8L * 1024 * 1024, 300_000, 100_000);

    private static Message msg(String epoch, long seq, String id) {
        return new Message("ch", epoch, seq, id, "{}", NOW);
    }

    private static ChannelState ownedBy(String region, long term, int messages) {
        ChannelState state = new ChannelState("e0");
        assertTrue(state.promiseFence(term, region));
        state.adopt(term, region, "e" + term, List.of(), 0, 0, List.of(), LIMITS, NOW);
        for (int seq = 1; seq <= messages; seq++) {
            state.append(msg("e" + term, seq, "m" + seq), LIMITS, NOW);
        }
        return state;
    }

    @Test
    void aRegionOwnsAChannelOnlyAfterAdoptingItAndUntilFencedHigher() {
        ChannelState state = new ChannelState("e0");
        assertFalse(state.ownedBy("us"), "a new channel is reconciled before it is sequenced");
        state = ownedBy("us", 1, 2);
        assertTrue(state.ownedBy("us"));
        assertFalse(state.ownedBy("eu"));
        assertTrue(state.promiseFence(2, "eu"));
        assertFalse(state.ownedBy("us"), "fenced by a newer home");
    }

    @Test
    void aFenceIsPromisedToOneRegionPerTerm() {
        ChannelState state = new ChannelState("e0");
        assertTrue(state.promiseFence(3, "eu"));
        assertFalse(state.promiseFence(3, "eu"), "not even to a later life of the same region");
        assertFalse(state.promiseFence(3, "ap"), "never the same term to two regions");
        assertFalse(state.promiseFence(2, "ap"));
        assertTrue(state.promisedTo("eu", 3));
        assertTrue(state.promiseFence(4, "ap"));
        assertFalse(state.promisedTo("eu", 3));
    }

    @Test
    void deliveriesBelowTheFenceAreRefusedAndANewerTermDropsTheUndurableTail() {
        ChannelState oldHome = ownedBy("us", 1, 3);
        oldHome.append(msg("e1", 4, "undurable"), LIMITS, NOW, false);
        assertEquals(4, oldHome.head());
        assertEquals(3, oldHome.durable());
        assertEquals(new Position("e1", 4), oldHome.positionOf("undurable"));

        oldHome.learnFence(2);
        assertFalse(oldHome.ownedBy("us"));
        assertFalse(oldHome.acceptTerm(1), "its own old term is refused too");
        assertTrue(oldHome.acceptTerm(2));
        assertEquals(3, oldHome.head(), "the never-acked seq 4 is gone");
        assertNull(oldHome.positionOf("undurable"), "and so is its id: a retry is sequenced by the new home");
        assertEquals(2, oldHome.term());
    }

    @Test
    void adoptionKeepsDurableHistoryDropsTheRestAndStartsANewEpoch() {
        ChannelState here = ownedBy("us", 1, 3);
        here.append(msg("e1", 4, "lost"), LIMITS, NOW, false);
        assertTrue(here.promiseFence(2, "eu"));
        List<Message> tail = List.of(msg("e1", 3, "m3"), msg("e2", 4, "other"), msg("e2", 5, "m5"));

        List<Message> visible = here.adopt(2, "eu", "e2", tail, 5, 4, List.of(), LIMITS, NOW);

        assertTrue(here.ownedBy("eu"));
        assertEquals("e2", here.epoch());
        assertEquals(5, here.head());
        assertEquals(4, here.durable());
        assertEquals(List.of(4L), visible.stream().map(Message::seq).toList(), "what readers here had not seen");
        assertNull(here.positionOf("lost"), "an id whose message was never durable is forgotten");
        assertEquals(new Position("e1", 2), here.positionOf("m2"), "durable ids still dedup");
        assertEquals(new Position("e2", 5), here.positionOf("m5"));
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L), here.read(0, 10, 600_000, NOW, true).messages().stream()
                .map(Message::seq).toList(), "its own durable history joins the adopted tail");
    }
}
