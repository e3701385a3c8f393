package io.meshgate.relay.mesh;

import io.meshgate.relay.channel.Message;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** How a reconciling home adds up the regions' answers. */
class ReconciliationTest {
    private static Message m(long seq, String id) {
        return new Message("ch", "e", seq, id, "{}", 1L);
    }

    private static List<Message> run(long from, long to, String prefix) {
        List<Message> out = new ArrayList<>();
        for (long s = from; s <= to; s++) {
            out.add(m(s, prefix + s));
        }
        return out;
    }

    private static List<String> ids(Reconciliation.Merged merged) {
        return merged.tail().stream().map(Message::id).toList();
    }

    @Test
    void theNewestTermWinsWhereRegionsDisagree() {
        // eu was home in term 1 and sequenced seq 4 that no other region stored; ap's home of term 2 gave 4 away.
        List<Message> euHeld = run(1, 3, "a");
        euHeld.add(m(4, "never-acked"));
        List<Message> apHeld = run(1, 3, "a");
        apHeld.add(m(4, "b4"));
        Reconciliation.Merged merged = Reconciliation.merge(List.of(
                new Reconciliation.Answer("eu", 1, 4, 3, euHeld),
                new Reconciliation.Answer("ap", 2, 4, 4, apHeld)), 1000);
        assertEquals(List.of("a1", "a2", "a3", "b4"), ids(merged));
        assertEquals(4, merged.head());
        assertEquals(4, merged.durableThrough());
    }

    @Test
    void theUndurableTailOfTheNewestTermIsKeptSoARetriedIdFindsIt() {
        List<Message> oldHome = run(1, 6, "a");
        Reconciliation.Merged merged = Reconciliation.merge(List.of(
                new Reconciliation.Answer("eu", 1, 6, 4, oldHome),
                new Reconciliation.Answer("ap", 1, 4, 4, run(1, 4, "a")),
                new Reconciliation.Answer("us", 0, 0, 0, List.of())), 1000);
        assertEquals(6, merged.head());
        assertEquals(4, merged.durableThrough(), "5 and 6 still wait for a second region");
        assertEquals(run(1, 6, "a").stream().map(Message::id).toList(), ids(merged));
    }

    @Test
    void anOlderTermCountsOnlyUpToItsDurableMark() {
        Reconciliation.Merged merged = Reconciliation.merge(List.of(
                new Reconciliation.Answer("us", 1, 9, 5, run(1, 9, "old")),
                new Reconciliation.Answer("ap", 2, 0, 0, List.of())), 1000);
        assertEquals(5, merged.head(), "seqs 6..9 were never durable: never acked, free to be given again");
        assertEquals(5, merged.tail().size());
    }

    @Test
    void partialReplicasAddUpAndTheTailEndsAtTheHead() {
        Reconciliation.Merged merged = Reconciliation.merge(List.of(
                new Reconciliation.Answer("eu", 3, 12, 12, run(10, 12, "c")),
                new Reconciliation.Answer("ap", 3, 15, 15, run(13, 15, "c"))), 1000);
        assertEquals(List.of("c10", "c11", "c12", "c13", "c14", "c15"), ids(merged));
        Reconciliation.Merged capped = Reconciliation.merge(List.of(
                new Reconciliation.Answer("eu", 3, 12, 12, run(10, 12, "c"))), 2);
        assertEquals(List.of("c11", "c12"), ids(capped));
        Reconciliation.Merged nothing = Reconciliation.merge(List.of(
                new Reconciliation.Answer("eu", 0, 0, 0, List.of())), 1000);
        assertEquals(0, nothing.head());
    }
}
