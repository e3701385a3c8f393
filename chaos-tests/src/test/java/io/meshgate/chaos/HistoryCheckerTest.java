package io.meshgate.chaos;

import io.meshgate.chaos.HistoryChecker.History;
import io.meshgate.chaos.HistoryChecker.Sent;
import io.meshgate.chaos.HistoryChecker.Verdict;
import io.meshgate.client.Message;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The checker the failover scenarios rely on finds each kind of violation, and nothing in a clean history. */
class HistoryCheckerTest {
    private static Message m(String epoch, long seq, String id) {
        return new Message("ch", epoch, seq, id, null, 0);
    }

    private static History history(String name, Message... messages) {
        return new History(name, List.of(messages), List.of(), false);
    }

    @Test
    void aCleanHistoryAcrossAnEpochChangeHasNoViolation() {
        Verdict v = HistoryChecker.analyze(List.of(history("s", m("e1", 1, "a"), m("e1", 2, "b"), m("e2", 3, "c"))),
                Map.of("a", 1L, "b", 2L, "c", 3L), List.of(List.of(new Sent("a", 1), new Sent("c", 3))));
        assertEquals(0, v.lost() + v.duplicated() + v.reordered() + v.g6Inversions() + v.holes(), v.toString());
        assertEquals(List.of("e1", "e2"), new ArrayList<>(v.epochs()));
        assertTrue(v.violations().isEmpty());
    }

    @Test
    void anAckedMessageInsideAGapIsLostAndTheGapIsNamed() {
        Verdict v = HistoryChecker.analyze(List.of(new History("sub-eu", List.of(m("e", 1, "a"), m("e", 4, "d")),
                List.<long[]>of(new long[] {2, 3}), false)), Map.of("a", 1L, "b", 2L, "c", 3L, "d", 4L), List.of());
        assertEquals(2, v.lost());
        assertEquals(0, v.holes(), "the gap explains the missing seqs");
        assertEquals(1, v.gapEvents());
        assertEquals(2, v.gappedMessages());
        assertTrue(v.violations().get(0).contains("inside a gap 2..3"), v.violations().toString());
    }

    @Test
    void aGapToASubscriberThatResumedIsG5NotLoss() {
        Verdict v = HistoryChecker.analyze(List.of(new History("sub-us", List.of(m("e", 1, "a"), m("e", 4, "d")),
                List.<long[]>of(new long[] {2, 3}), true)), Map.of("a", 1L, "b", 2L, "c", 3L, "d", 4L), List.of());
        assertEquals(0, v.lost());
        assertEquals(2, v.gappedOnResume());
    }

    @Test
    void anIdSequencedTwiceIsADuplicateEvenWhenTheClientDroppedTheRepeat() {
        // Pus-000578 acked at 1732, sequenced again at 4041: one subscriber got both, another only the first
        // (its client dropped the repeated id, leaving a hole at 4041).
        Verdict v = HistoryChecker.analyze(List.of(
                        history("twice", m("e", 1732, "Pus-000578"), m("e", 4041, "Pus-000578")),
                        history("once", m("e", 1732, "Pus-000578"))),
                Map.of("Pus-000578", 4041L), List.of());
        assertEquals(3, v.duplicated(), "a repeat in one history, and an ack seq that differs in both");
        assertTrue(v.violations().stream().anyMatch(s -> s.contains("delivered at seqs")), v.violations().toString());
    }

    @Test
    void aSmallerSeqAfterALargerOneIsReordered() {
        Verdict v = HistoryChecker.analyze(List.of(history("s", m("e", 5, "a"), m("e", 4, "b"))),
                Map.of(), List.of());
        assertEquals(1, v.reordered());
    }

    @Test
    void aHoleWithoutAGapIsCounted() {
        Verdict v = HistoryChecker.analyze(List.of(history("s", m("e", 1, "a"), m("e", 5, "b"))), Map.of(), List.of());
        assertEquals(3, v.holes());
    }

    @Test
    void publishesSentInOrderOnOneConnectionMustGetIncreasingSeqs() {
        // Peu-000636 then Peu-000637 on one connection got 1318 and 1251: one inversion. Another connection's
        // order is its own.
        Verdict v = HistoryChecker.analyze(List.of(), Map.of(), List.of(
                List.of(new Sent("Peu-000635", 1200), new Sent("Peu-000636", 1318), new Sent("Peu-000637", 1251)),
                List.of(new Sent("x", 900))));
        assertEquals(1, v.g6Inversions());
        assertTrue(v.violations().get(0).contains("Peu-000636 then Peu-000637"), v.violations().toString());
    }
}
