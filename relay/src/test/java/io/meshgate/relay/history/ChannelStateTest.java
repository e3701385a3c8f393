package io.meshgate.relay.history;

import io.meshgate.relay.channel.Message;
import io.meshgate.relay.channel.Position;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.UUID;
import java.util.stream.LongStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The channel's sequencer state on its own: history bounds, reads and gaps, dedup memory. Time is passed in. */
class ChannelStateTest {
    private static final String CH = "chat:room1";
    private static final String EPOCH = "e1";
    private static final long T0 = 1_763_920_000_000L;
    private static final long TTL = 600_000;
    private static final long DEDUP = 300_000;

    private static HistoryLimits limits(int maxMessages) {
        return new HistoryLimits(maxMessages, TTL, 8L * 1024 * 1024, DEDUP, 100_000);
    }

    private static Message msg(long seq, long ts) {
        return msg(seq, "id-" + seq, "{\"n\":" + seq + "}", ts);
    }

    private static Message msg(long seq, String id, String data, long ts) {
        return new Message(CH, EPOCH, seq, id, data, ts);
    }

    /** Appends seqs head+1..to, each at ts == now == {@code at}. */
    private static void appendUpTo(ChannelState state, long to, HistoryLimits limits, long at) {
        for (long seq = state.head() + 1; seq <= to; seq++) {
            state.append(msg(seq, at), limits, at);
        }
    }

    private static List<Long> seqs(Range range) {
        return range.messages().stream().map(Message::seq).toList();
    }

    private static List<Long> seqsBetween(long from, long to) {
        return LongStream.rangeClosed(from, to).boxed().toList();
    }

    @Test
    void newStateIsEmptyWithItsEpoch() {
        ChannelState state = new ChannelState(EPOCH);
        assertEquals(EPOCH, state.epoch());
        assertEquals(0, state.head());
        assertEquals(0, state.historySize());
        Range range = state.read(0, 10, TTL, T0);
        assertEquals(new Range(EPOCH, 0, List.of(), 0, 0), range);
        assertFalse(range.hasGap());
    }

    @Test
    void appendOnlyAcceptsTheNextSeq() {
        ChannelState state = new ChannelState(EPOCH);
        assertThrows(IllegalStateException.class, () -> state.append(msg(2, T0), limits(10), T0));
        state.append(msg(1, T0), limits(10), T0);
        assertThrows(IllegalStateException.class, () -> state.append(msg(1, T0), limits(10), T0));
        assertThrows(IllegalStateException.class, () -> state.append(msg(3, T0), limits(10), T0));
        assertEquals(1, state.head());
        assertEquals(1, state.historySize());
    }

    @Test
    void trimsByCountKeepingTheNewest() {
        HistoryLimits limits = limits(3);
        ChannelState state = new ChannelState(EPOCH);
        appendUpTo(state, 5, limits, T0);

        assertEquals(5, state.head());
        assertEquals(3, state.historySize());
        Range range = state.read(0, 100, TTL, T0);
        assertEquals(seqsBetween(3, 5), seqs(range));
        assertEquals(1, range.gapFrom());
        assertEquals(2, range.gapTo());
    }

    @Test
    void trimsByBytesAndAccountsForRemovedMessages() {
        long maxBytes = 64 * 1024;
        HistoryLimits limits = new HistoryLimits(1000, TTL, maxBytes, DEDUP, 100_000);
        String big = "x".repeat(10_000);
        long bigWeight = msg(1, "b", big, T0).weightBytes();
        int bigThatFit = (int) (maxBytes / bigWeight);
        assertTrue(bigThatFit >= 2 && bigThatFit < 10, "test data must make the byte bound bite: " + bigThatFit);

        ChannelState state = new ChannelState(EPOCH);
        for (long seq = 1; seq <= 10; seq++) {
            state.append(msg(seq, "b" + seq, big, T0), limits, T0);
        }
        assertEquals(10, state.head());
        assertEquals(bigThatFit, state.historySize(), "history holds only as many big messages as fit in maxBytes");
        assertEquals(seqsBetween(10 - bigThatFit + 1, 10), seqs(state.read(0, 100, TTL, T0)));

        // Small messages now: if the bytes of dropped messages were not given back, these would be trimmed too.
        long smallWeight = msg(11, T0).weightBytes();
        int smallCount = 50;
        assertTrue(smallCount * smallWeight < maxBytes - bigWeight);
        appendUpTo(state, 10 + smallCount, limits, T0);
        Range range = state.read(10, 1000, TTL, T0);
        assertEquals(seqsBetween(11, 10 + smallCount), seqs(range));
        assertFalse(range.hasGap());
        // The big ones made room for the small ones, oldest first, and at least one still fits next to them.
        long held = state.historySize();
        assertTrue(held > smallCount, "some big messages remain next to the small ones, held " + held);
        assertTrue(held < smallCount + bigThatFit, "older big messages were trimmed for the small ones");
    }

    @Test
    void trimsByAgeOnAppendAndOnTrim() {
        HistoryLimits limits = new HistoryLimits(1000, 1_000, 8L * 1024 * 1024, DEDUP, 100_000);
        ChannelState state = new ChannelState(EPOCH);
        state.append(msg(1, T0), limits, T0);
        state.append(msg(2, T0 + 500), limits, T0 + 500);
        assertEquals(2, state.historySize());

        // At T0 + 1_100 message 1 is older than the TTL: appending 3 drops it, 2 stays.
        state.append(msg(3, T0 + 1_100), limits, T0 + 1_100);
        assertEquals(seqsBetween(2, 3), seqs(state.read(0, 100, 1_000, T0 + 1_100)));

        assertFalse(state.trim(limits, T0 + 1_500), "nothing has expired yet at the TTL boundary");
        assertEquals(2, state.historySize());
        assertTrue(state.trim(limits, T0 + 1_501), "message 2 expired");
        assertEquals(1, state.historySize());
        assertTrue(state.trim(limits, T0 + 10_000));
        assertEquals(0, state.historySize());
        assertEquals(3, state.head(), "trimming history never lowers the head");
        assertFalse(state.trim(limits, T0 + 10_000), "a second trim has nothing left to do");

        Range range = state.read(0, 100, 1_000, T0 + 10_000);
        assertEquals(List.of(), range.messages());
        assertEquals(1, range.gapFrom());
        assertEquals(3, range.gapTo());
    }

    @Test
    void readSkipsExpiredMessagesThatNoTrimRemovedYet() {
        ChannelState state = new ChannelState(EPOCH);
        HistoryLimits limits = limits(100);
        state.append(msg(1, T0), limits, T0);
        state.append(msg(2, T0 + 5_000), limits, T0 + 5_000);
        state.append(msg(3, T0 + 6_000), limits, T0 + 6_000);
        assertEquals(3, state.historySize());

        // Read with a 2 s TTL at T0 + 7_500: 1 and 2 are too old, though still stored.
        Range range = state.read(0, 100, 2_000, T0 + 7_500);
        assertEquals(List.of(3L), seqs(range));
        assertEquals(1, range.gapFrom());
        assertEquals(2, range.gapTo());
        assertEquals(3, range.lastCovered(0));
    }

    @Test
    void readReturnsContiguousMessagesAfterSeqUpToMax() {
        HistoryLimits limits = limits(100);
        ChannelState state = new ChannelState(EPOCH);
        appendUpTo(state, 10, limits, T0);

        Range range = state.read(3, 4, TTL, T0);
        assertEquals(EPOCH, range.epoch());
        assertEquals(10, range.head());
        assertEquals(seqsBetween(4, 7), seqs(range));
        assertFalse(range.hasGap());
        assertEquals(0, range.gapFrom());
        assertEquals(0, range.gapTo());
        assertEquals(7, range.lastCovered(3));
        assertEquals(msg(4, T0), range.messages().get(0), "read returns the stored message unchanged");

        assertEquals(seqsBetween(1, 10), seqs(state.read(0, 100, TTL, T0)));
        assertEquals(seqsBetween(10, 10), seqs(state.read(9, 100, TTL, T0)));
        assertEquals(List.of(), seqs(state.read(3, 0, TTL, T0)), "max 0 returns no messages");
    }

    @Test
    void readReportsGapWhenHistoryNoLongerHoldsTheStart() {
        HistoryLimits limits = limits(3);
        ChannelState state = new ChannelState(EPOCH);
        appendUpTo(state, 10, limits, T0); // holds 8..10

        Range fromStart = state.read(0, 100, TTL, T0);
        assertTrue(fromStart.hasGap());
        assertEquals(1, fromStart.gapFrom());
        assertEquals(7, fromStart.gapTo());
        assertEquals(seqsBetween(8, 10), seqs(fromStart));

        Range fromMiddle = state.read(2, 2, TTL, T0);
        assertEquals(3, fromMiddle.gapFrom());
        assertEquals(7, fromMiddle.gapTo());
        assertEquals(seqsBetween(8, 9), seqs(fromMiddle), "the gap comes with at most max messages after it");
        assertEquals(9, fromMiddle.lastCovered(2));

        Range gapOnly = state.read(2, 0, TTL, T0);
        assertEquals(3, gapOnly.gapFrom());
        assertEquals(7, gapOnly.gapTo());
        assertEquals(List.of(), gapOnly.messages());
        assertEquals(7, gapOnly.lastCovered(2));

        Range justBeforeHistory = state.read(7, 100, TTL, T0);
        assertFalse(justBeforeHistory.hasGap(), "resuming right before the first held seq misses nothing");
        assertEquals(seqsBetween(8, 10), seqs(justBeforeHistory));
    }

    @Test
    void readAtOrAfterHeadHasNoGap() {
        HistoryLimits limits = limits(3);
        ChannelState state = new ChannelState(EPOCH);
        appendUpTo(state, 10, limits, T0);

        for (long after : new long[] {10, 11, 1_000}) {
            Range range = state.read(after, 100, TTL, T0);
            assertEquals(10, range.head());
            assertEquals(List.of(), range.messages(), "after " + after);
            assertFalse(range.hasGap(), "after " + after);
        }
    }

    @Test
    void dedupIdsOutliveHistoryForTheWindowThenGoOnceHistoryNoLongerHoldsThem() {
        HistoryLimits limits = limits(2);
        ChannelState state = new ChannelState(EPOCH);
        appendUpTo(state, 5, limits, T0); // history holds 4..5; ids 1..5 remembered

        assertEquals(2, state.historySize());
        for (long seq = 1; seq <= 5; seq++) {
            assertEquals(new Position(EPOCH, seq), state.positionOf("id-" + seq), "id " + seq + " in the window");
        }

        // Just inside the window: nothing is forgotten.
        state.trim(limits, T0 + DEDUP);
        assertEquals(new Position(EPOCH, 1), state.positionOf("id-1"));

        // Past the window: ids of messages history dropped go; ids whose messages are still held stay (G4).
        assertTrue(state.trim(limits, T0 + DEDUP + 1));
        assertNull(state.positionOf("id-1"));
        assertNull(state.positionOf("id-2"));
        assertNull(state.positionOf("id-3"));
        assertEquals(new Position(EPOCH, 4), state.positionOf("id-4"));
        assertEquals(new Position(EPOCH, 5), state.positionOf("id-5"));
        assertEquals(2, state.historySize(), "history's TTL (10 min) has not expired");

        // Once history drops them by age too, their ids can go.
        assertTrue(state.trim(limits, T0 + TTL + 1));
        assertEquals(0, state.historySize());
        assertNull(state.positionOf("id-4"));
        assertNull(state.positionOf("id-5"));
        assertEquals(5, state.head());
    }

    @Test
    void dedupIdsAreBoundedByMaxDedupIdsOldestFirst() {
        HistoryLimits limits = new HistoryLimits(3, TTL, 8L * 1024 * 1024, DEDUP, 5);
        ChannelState state = new ChannelState(EPOCH);
        appendUpTo(state, 12, limits, T0);

        for (long seq = 1; seq <= 7; seq++) {
            assertNull(state.positionOf("id-" + seq), "id " + seq + " is beyond the 5 newest");
        }
        for (long seq = 8; seq <= 12; seq++) {
            assertEquals(new Position(EPOCH, seq), state.positionOf("id-" + seq));
        }
        assertEquals(3, state.historySize());
    }

    @Test
    void unknownIdHasNoPosition() {
        ChannelState state = new ChannelState(EPOCH);
        assertNull(state.positionOf("nope"));
        appendUpTo(state, 3, limits(10), T0);
        assertNull(state.positionOf("nope"));
    }

    @Test
    void messageAtFindsEveryHeldSeqAndNothingElse() {
        ChannelState state = new ChannelState(EPOCH);
        assertNull(state.messageAt(0));
        assertNull(state.messageAt(1));

        HistoryLimits limits = limits(6);
        appendUpTo(state, 10, limits, T0); // holds 5..10
        assertNull(state.messageAt(0));
        assertNull(state.messageAt(4));
        assertNull(state.messageAt(11));
        for (long seq = 5; seq <= 10; seq++) {
            Message m = state.messageAt(seq);
            assertNotNull(m, "seq " + seq);
            assertEquals(msg(seq, T0), m);
        }

        // Odd sizes too, so both halves of the lookup are exercised at their boundaries.
        ChannelState odd = new ChannelState(EPOCH);
        appendUpTo(odd, 7, limits(100), T0);
        for (long seq = 1; seq <= 7; seq++) {
            assertEquals(seq, odd.messageAt(seq).seq());
        }
    }

    @Test
    void keepsWhatALaggingRegionNeedsBeyondMaxMessagesUpToTheHardBound() {
        HistoryLimits limits = limits(10).withMaxRetainedMessages(25);
        ChannelState state = new ChannelState(EPOCH);
        appendUpTo(state, 5, limits, T0);
        // A peer region stored up to 5 and then fell behind: the home keeps everything after it.
        state.retentionFloor(5);
        for (long seq = 6; seq <= 30; seq++) {
            assertEquals(0, state.append(msg(seq, T0), limits, T0, true), "nothing needed dropped at " + seq);
        }
        assertEquals(25, state.historySize(), "maxMessages (10) stretched to keep 6..30 for the lagging region");
        Range needed = state.read(5, 1000, TTL, T0);
        assertFalse(needed.hasGap(), "the lagging region finds no hole: " + needed);
        assertEquals(seqsBetween(6, 30), seqs(needed));

        // Past maxRetainedMessages it trims as before, and says how many needed messages it dropped.
        assertEquals(1, state.append(msg(31, T0), limits, T0, true));
        assertEquals(25, state.historySize());
        Range past = state.read(5, 0, TTL, T0);
        assertEquals(6, past.gapFrom(), "seq 6 is gone: " + past);
        assertEquals(6, past.gapTo());

        // The region caught up (or its floor expired): the next trim goes back to maxMessages, counting nothing.
        state.retentionFloor(ChannelState.NO_RETENTION_FLOOR);
        assertEquals(0, state.append(msg(32, T0), limits, T0, true));
        assertEquals(10, state.historySize());
        assertEquals(seqsBetween(23, 32), seqs(state.read(0, 1000, TTL, T0)));
    }

    @Test
    void aFloorKeepsOnlyWhatIsAboveIt() {
        HistoryLimits limits = limits(10).withMaxRetainedMessages(100);
        ChannelState state = new ChannelState(EPOCH);
        state.retentionFloor(20);
        appendUpTo(state, 40, limits, T0);
        assertEquals(seqsBetween(21, 40), seqs(state.read(0, 1000, TTL, T0)),
                "messages at or below the floor are trimmed by maxMessages; the 20 above it stay");

        // A floor below what history holds keeps nothing back that is gone already, and the rest by count.
        state.retentionFloor(35);
        state.trim(limits, T0);
        assertEquals(seqsBetween(31, 40), seqs(state.read(0, 1000, TTL, T0)),
                "maxMessages (31..40) and the messages above 35 (36..40) are kept");
    }

    /** A new mesh leader that does not know the floor yet passes KEEP: the floor the state holds stays in force. */
    @Test
    void keepLeavesTheStoredFloorInForce() {
        HistoryLimits limits = limits(10).withMaxRetainedMessages(100);
        ChannelState state = new ChannelState(EPOCH);
        state.retentionFloor(20);
        state.retentionFloor(ChannelState.KEEP_RETENTION_FLOOR);
        assertEquals(20, state.retentionFloor());
        appendUpTo(state, 40, limits, T0);
        assertEquals(seqsBetween(21, 40), seqs(state.read(0, 1000, TTL, T0)), "still kept above 20");
    }

    @Test
    void theFloorNeverKeepsAMessagePastItsTtlOrTheByteBound() {
        HistoryLimits limits = new HistoryLimits(5, 1_000, 64 * 1024, DEDUP, 100_000).withMaxRetainedMessages(50);
        ChannelState state = new ChannelState(EPOCH);
        state.retentionFloor(0);
        appendUpTo(state, 20, limits, T0);
        assertEquals(20, state.historySize());
        assertTrue(state.trim(limits, T0 + 1_001), "aged out");
        assertEquals(0, state.historySize(), "the TTL bites whatever a region needs");

        String big = "x".repeat(10_000);
        long fit = 64 * 1024 / msg(1, "b", big, T0).weightBytes();
        int dropped = 0;
        for (long seq = 21; seq <= 30; seq++) {
            dropped += state.append(msg(seq, "b" + seq, big, T0 + 2_000), limits, T0 + 2_000, true);
        }
        assertEquals(fit, state.historySize(), "the byte bound is hard too");
        assertEquals(10 - fit, dropped, "needed messages dropped by the byte bound are counted");
    }

    @Test
    void aNewerHomesTermClearsTheFloorOfTheOldOne() {
        HistoryLimits limits = limits(10);
        ChannelState state = new ChannelState(EPOCH);
        state.retentionFloor(3);
        appendUpTo(state, 30, limits, T0);
        assertEquals(27, state.historySize());
        assertTrue(state.acceptTerm(7), "another region became home");
        assertEquals(ChannelState.NO_RETENTION_FLOOR, state.retentionFloor());
        state.trim(limits, T0);
        assertEquals(10, state.historySize(), "a replica keeps maxMessages: lagging regions are the home's concern");
    }

    @Test
    void routesAddAndRemove() {
        ChannelState state = new ChannelState(EPOCH);
        UUID a = UUID.randomUUID();
        UUID b = UUID.randomUUID();
        assertTrue(state.addRoute(a));
        assertFalse(state.addRoute(a));
        assertTrue(state.addRoute(b));
        assertEquals(java.util.Set.of(a, b), state.routes());
        assertTrue(state.removeRoute(a));
        assertFalse(state.removeRoute(a));
        assertTrue(state.removeRoutes(java.util.Set.of(b, UUID.randomUUID())));
        assertTrue(state.routes().isEmpty());
        assertThrows(UnsupportedOperationException.class, () -> state.routes().add(a));
    }
}
