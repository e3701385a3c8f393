package io.meshgate.chaos;

import io.meshgate.client.Message;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Checks one subscriber's recorded history against what publishers had acknowledged. */
public final class HistoryChecker {
    private HistoryChecker() {
    }

    /**
     * G1 strictly increasing seqs, G3 each seq and id once, G2 every acked id delivered with its acked seq, and
     * {@code expected} messages in all, contiguous.
     */
    public static void check(List<Message> received, Map<String, Long> acked, int expected) {
        Set<String> ids = new HashSet<>();
        long previous = 0;
        for (Message r : received) {
            assertTrue(r.seq() > previous, "G1: seq " + r.seq() + " after " + previous);
            assertTrue(ids.add(r.id()), "G3: id " + r.id() + " delivered twice");
            previous = r.seq();
        }
        Map<String, Long> seqById = new HashMap<>();
        received.forEach(r -> seqById.put(r.id(), r.seq()));
        for (Map.Entry<String, Long> ack : acked.entrySet()) {
            assertEquals(ack.getValue(), seqById.get(ack.getKey()), "G2: acked " + ack.getKey() + " at seq "
                    + ack.getValue() + " must be delivered with that seq");
        }
        assertEquals(expected, received.size(), "every message exactly once");
        assertEquals(received.get(0).seq() + received.size() - 1, previous, "contiguous seqs");
    }
}
