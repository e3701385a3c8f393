package io.meshgate.relay.history;

import io.meshgate.relay.channel.Message;
import io.meshgate.relay.channel.Position;
import io.meshgate.relay.region.ClusterSecret;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.LongStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Sealing stored messages, and what a read of history turns into when some do not open. */
class StoreSealTest {
    private static final String SECRET = "region-secret-region-secret-0123456789";
    private static final String CH = "room:1";

    private final StoreSeal seal = new StoreSeal(ClusterSecret.of(SECRET));

    private static Message message(long seq) {
        return new Message(CH, "e1", seq, "id-" + seq, "{\"n\":" + seq + "}", 1_000 + seq);
    }

    private List<Message> sealed(long from, long to) {
        return LongStream.rangeClosed(from, to).mapToObj(seq -> seal.seal(message(seq))).toList();
    }

    private static List<Long> seqs(Range range) {
        return range.messages().stream().map(Message::seq).toList();
    }

    @Test
    void aSealedMessageOpensOnEveryNodeOfTheRegionAndCostsItsTagInHistoryBytes() {
        Message m = seal.seal(message(7));
        assertEquals(StoreSeal.TAG_BYTES, m.seal().length);
        assertTrue(seal.opens(CH, m));
        assertTrue(new StoreSeal(ClusterSecret.of(SECRET)).opens(CH, m), "another node of the region");
        assertEquals(message(7), m, "the seal is not part of what a subscriber sees");
        assertEquals(message(7).weightBytes() + 16 + StoreSeal.TAG_BYTES, m.weightBytes(),
                "history.maxBytes counts the seal");
        assertEquals(0, seal.forgedCount());
    }

    @Test
    void aMessageWithAnyFieldChangedOrNoSealOrAnotherKeysSealDoesNotOpen() {
        Message m = seal.seal(message(7));
        byte[] tag = m.seal();
        List<Message> tampered = List.of(
                new Message(CH, "e1", 7, "id-7", "{\"n\":\"forged\"}", m.ts(), tag),
                new Message(CH, "e1", 8, "id-7", m.dataJson(), m.ts(), tag),
                new Message(CH, "e1", 7, "forged", m.dataJson(), m.ts(), tag),
                new Message("room:2", "e1", 7, "id-7", m.dataJson(), m.ts(), tag),
                new Message(CH, "e2", 7, "id-7", m.dataJson(), m.ts(), tag),
                new Message(CH, "e1", 7, "id-7", m.dataJson(), m.ts() + 1, tag));
        for (Message t : tampered) {
            assertFalse(seal.opens(t.channel(), t), "changed: " + t);
        }
        assertFalse(seal.opens("room:2", m), "a genuine message copied into another channel's history");
        assertFalse(seal.opens(CH, message(7)), "unsealed, as a node before this change stored it");
        assertFalse(seal.opens(CH, m.withSeal(Arrays.copyOf(tag, tag.length - 1))), "truncated seal");
        for (int i = 0; i < tag.length; i++) {
            byte[] flipped = tag.clone();
            flipped[i] ^= 0x01;
            assertFalse(seal.opens(CH, m.withSeal(flipped)), "seal byte " + i + " flipped");
        }
        assertFalse(new StoreSeal(ClusterSecret.of(SECRET + "!")).opens(CH, m), "another region's secret");
        // Fields run together must not collide: the strings are length-prefixed.
        Message a = seal.seal(new Message(CH, "e1", 7, "ab", "c", 1));
        assertFalse(seal.opens(CH, new Message(CH, "e1", 7, "a", "bc", 1, a.seal())));
    }

    /**
     * Timing cannot be measured reliably in a unit test (the HMAC dwarfs a 32-byte compare), so this pins the
     * comparison the class makes: {@link java.security.MessageDigest#isEqual}, constant-time since JDK 6u17, and
     * nothing from {@link java.util.Arrays}, whose {@code equals} returns at the first differing byte.
     */
    @Test
    void theSealIsComparedInConstantTime() throws IOException {
        String classFile;
        try (InputStream in = StoreSeal.class.getResourceAsStream("StoreSeal.class")) {
            assertNotNull(in);
            classFile = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        }
        assertTrue(classFile.contains("java/security/MessageDigest") && classFile.contains("isEqual"));
        assertFalse(classFile.contains("java/util/Arrays"));
    }

    @Test
    void aReadWithAllSealsIntactIsServedAsItIs() {
        Range range = new Range("e1", 5, sealed(3, 5), 1, 2);
        assertSame(range, seal.check(CH, 0, range));
        assertEquals(0, seal.forgedCount());
    }

    @Test
    void aForgedMessageAfterGenuineOnesEndsTheAnswerAndLeadsTheNextReadAsAGap() {
        List<Message> history = new ArrayList<>(sealed(1, 5));
        Message genuine3 = history.get(2);
        history.set(2, new Message(CH, "e1", 3, genuine3.id(), "{\"forged\":true}", genuine3.ts(), genuine3.seal()));

        Range first = seal.check(CH, 0, new Range("e1", 5, history, 0, 0));
        assertEquals(List.of(1L, 2L), seqs(first), "stops before the forged message");
        assertFalse(first.hasGap());

        Range next = seal.check(CH, 2, new Range("e1", 5, history.subList(2, 5), 0, 0));
        assertEquals(3, next.gapFrom());
        assertEquals(3, next.gapTo());
        assertEquals(List.of(4L, 5L), seqs(next));
        assertEquals(2, seal.forgedCount(), "counted by each read that met it");
    }

    @Test
    void forgedMessagesAtTheFrontJoinTheGapAndAnAnswerOfForgeriesOnlyStillMovesTheReaderOn() {
        List<Message> history = new ArrayList<>(sealed(3, 6));
        history.set(0, message(3));
        history.set(1, message(4));
        Range withGap = seal.check(CH, 0, new Range("e1", 6, history, 1, 2));
        assertEquals(1, withGap.gapFrom());
        assertEquals(4, withGap.gapTo(), "seqs 1-2 aged out, 3-4 forged: one gap");
        assertEquals(List.of(5L, 6L), seqs(withGap));

        Range onlyForged = seal.check(CH, 10, new Range("e1", 11, List.of(message(11), message(12)), 0, 0));
        assertEquals(11, onlyForged.gapFrom());
        assertEquals(11, onlyForged.gapTo(), "never past the head");
        assertTrue(onlyForged.messages().isEmpty());
    }

    @Test
    void aGenuineMessageOutOfItsPlaceIsNotServed() {
        List<Message> history = new ArrayList<>(sealed(1, 4));
        history.add(1, history.get(3)); // genuine seq 4 inserted where seq 2 belongs
        Range range = seal.check(CH, 0, new Range("e1", 4, history, 0, 0));
        assertEquals(List.of(1L), seqs(range), "seq 4 where 2 belongs is a hole after seq 1");

        Range rest = seal.check(CH, 1, new Range("e1", 4, history.subList(1, 5), 0, 0));
        assertEquals(2, rest.gapFrom());
        assertEquals(3, rest.gapTo(), "out of order: 2 and 3 come after 4, so they are missing");
        assertEquals(List.of(4L), seqs(rest), "then the genuine seq 4, once");

        Range copied = seal.check(CH, 0, new Range("e1", 2, List.of(seal.seal(message(1)), seal.seal(message(1))), 0, 0));
        assertEquals(List.of(1L), seqs(copied), "a genuine message repeated is served once");
    }

    @Test
    void fannedOutMessagesThatDoNotOpenAreLeftOut() {
        List<Message> batch = new ArrayList<>(sealed(1, 3));
        batch.set(1, message(2));
        assertEquals(List.of(batch.get(0), batch.get(2)), seal.check(CH, batch));
        List<Message> clean = sealed(1, 3);
        assertSame(clean, seal.check(CH, clean));

        Message stored = seal.seal(message(1));
        SequenceResult result = new SequenceResult(List.of(
                new Sequenced(new Position("e1", 1), stored, true),
                new Sequenced(new Position("e1", 2), message(2), false),
                new Sequenced(new Position("e1", 9), seal.seal(message(3)), true)), Set.of(), 3, false, 0, 0);
        SequenceResult checked = seal.check(CH, result);
        assertSame(stored, checked.outcomes().get(0).message());
        assertNull(checked.outcomes().get(1).message(), "not fanned out");
        assertEquals(new Position("e1", 2), checked.outcomes().get(1).position(), "still acked with its position");
        assertNull(checked.outcomes().get(2).message(), "a genuine message returned for another position");
        assertEquals(3, seal.forgedCount());
    }
}
