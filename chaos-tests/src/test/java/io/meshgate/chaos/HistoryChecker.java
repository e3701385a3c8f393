package io.meshgate.chaos;

import io.meshgate.client.Message;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Checks recorded histories against what publishers had acknowledged: {@link #check} asserts one subscriber's
 * history at once (the older tests), {@link #analyze} counts every violation of every subscriber, G6 and the epochs
 * seen, for a scenario report that names the first concrete violations.
 */
public final class HistoryChecker {
    /** Violations of each kind quoted per subscriber in a {@link Verdict}; the counts go on past it. */
    static final int QUOTED = 5;

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

    /** A publish that went out once, on one connection, and was acked at {@code seq}. */
    public record Sent(String id, long seq) {
    }

    /**
     * One subscriber's record: its messages in the order the application got them, the gaps it was told of, and
     * whether it resumed on a new connection at least once ({@code resumed}).
     */
    public record History(String subscriber, List<Message> messages, List<long[]> gaps, boolean resumed) {
    }

    /**
     * What {@link #analyze} found. Every count is over all subscribers (a message lost to two subscribers counts
     * twice), except {@code g6Inversions}, which counts publishes. An acked message inside a {@code gap} told to a
     * subscriber that resumed on a new connection counts as {@code gappedOnResume}, not as lost: G5 allows it when
     * the resume position was older than the history held; to a subscriber that never lost its connection it is
     * lost (G2). {@code holes} are seqs between a subscriber's first
     * and last message that it neither received nor was told were gone (a {@code gap}): the Java client drops a
     * repeated id, so an id sequenced twice shows as a hole as well as a {@code duplicated}.
     */
    public record Verdict(int lost, int duplicated, int reordered, int g6Inversions, int holes, int gapEvents,
                          long gappedMessages, int gappedOnResume, SortedSet<String> epochs,
                          List<String> violations) {
        boolean clean() {
            return lost == 0 && duplicated == 0 && reordered == 0 && g6Inversions == 0;
        }
    }

    /**
     * Counts, for every subscriber, acked ids it never got (lost, G2), ids it got twice or with another seq than the
     * ack said (duplicated: G3, or an id sequenced twice, G4), seqs not above the one before (reordered, G1), and,
     * for every connection's publishes that were each sent once, those acked below an earlier one (G6).
     *
     * @param acked         id to acked seq, over every publisher
     * @param g6Connections per connection, its publishes sent once each, in send order
     */
    public static Verdict analyze(List<History> histories, Map<String, Long> acked, List<List<Sent>> g6Connections) {
        Map<String, List<String>> quoted = new LinkedHashMap<>();
        int lost = 0;
        int gappedOnResume = 0;
        int duplicated = 0;
        int reordered = 0;
        int holes = 0;
        int gapEvents = 0;
        long gapped = 0;
        SortedSet<String> epochs = new TreeSet<>();
        Map<String, Set<Long>> seqsById = new HashMap<>();
        // In seq order, so the violations quoted are the first ones.
        List<Map.Entry<String, Long>> bySeq = acked.entrySet().stream().sorted(Map.Entry.comparingByValue()).toList();
        for (History history : histories) {
            String who = history.subscriber();
            Map<String, Long> seqById = new HashMap<>();
            Set<Long> seqs = new HashSet<>();
            Message previous = null;
            for (Message m : history.messages()) {
                epochs.add(m.epoch());
                seqsById.computeIfAbsent(m.id(), k -> new HashSet<>()).add(m.seq());
                if (previous != null && m.seq() <= previous.seq()) {
                    reordered++;
                    quote(quoted, "reordered (G1)", who, who + " got " + m.id() + " seq " + m.seq() + " epoch "
                            + m.epoch() + " after " + previous.id() + " seq " + previous.seq() + " epoch "
                            + previous.epoch());
                }
                Long before = seqById.putIfAbsent(m.id(), m.seq());
                if (before != null) {
                    duplicated++;
                    quote(quoted, "duplicated (G3)", who, who + " got " + m.id() + " at seq " + before + " and again"
                            + " at seq " + m.seq());
                }
                seqs.add(m.seq());
                previous = m;
            }
            for (Map.Entry<String, Long> ack : bySeq) {
                Long got = seqById.get(ack.getKey());
                if (got == null && history.resumed() && inGap(history.gaps(), ack.getValue())) {
                    gappedOnResume++;
                    quote(quoted, "gapped on resume (G5)", who, who + " resumed and was told " + ack.getKey()
                            + " acked at seq " + ack.getValue() + " is gone" + gapNote(history.gaps(), ack.getValue()));
                } else if (got == null) {
                    lost++;
                    quote(quoted, "lost (G2)", who, who + " never got " + ack.getKey() + " acked at seq "
                            + ack.getValue() + gapNote(history.gaps(), ack.getValue()));
                } else if (!got.equals(ack.getValue())) {
                    duplicated++;
                    quote(quoted, "sequenced twice (G4)", who, who + " got " + ack.getKey() + " at seq " + got
                            + " but its ack said seq " + ack.getValue());
                }
            }
            gapEvents += history.gaps().size();
            for (long[] gap : history.gaps()) {
                gapped += gap[1] - gap[0] + 1;
            }
            if (!history.messages().isEmpty()) {
                long first = history.messages().get(0).seq();
                long last = history.messages().get(history.messages().size() - 1).seq();
                for (long s = first; s <= last; s++) {
                    if (!seqs.contains(s) && !inGap(history.gaps(), s)) {
                        holes++;
                    }
                }
            }
        }
        for (Map.Entry<String, Set<Long>> entry : seqsById.entrySet()) {
            if (entry.getValue().size() > 1) {
                quote(quoted, "one id, several seqs", "", entry.getKey() + " delivered at seqs " + entry.getValue());
            }
        }
        int inversions = 0;
        for (List<Sent> connection : g6Connections) {
            Sent highest = null;
            for (Sent sent : connection) {
                if (highest != null && sent.seq() < highest.seq()) {
                    inversions++;
                    quote(quoted, "G6 inversion", "", highest.id() + " then " + sent.id() + ", sent once each in"
                            + " that order on one connection, got seqs " + highest.seq() + " and " + sent.seq());
                }
                if (highest == null || sent.seq() > highest.seq()) {
                    highest = sent;
                }
            }
        }
        List<String> violations = new ArrayList<>();
        quoted.values().forEach(violations::addAll);
        return new Verdict(lost, duplicated, reordered, inversions, holes, gapEvents, gapped, gappedOnResume, epochs,
                violations);
    }

    private static boolean inGap(List<long[]> gaps, long seq) {
        return gaps.stream().anyMatch(g -> seq >= g[0] && seq <= g[1]);
    }

    private static String gapNote(List<long[]> gaps, long seq) {
        return gaps.stream().filter(g -> seq >= g[0] && seq <= g[1]).findFirst()
                .map(g -> " (inside a gap " + g[0] + ".." + g[1] + " it was told of)").orElse("");
    }

    /** Keeps the first {@link #QUOTED} violations of each kind for each subscriber ({@code who}, or "" for none). */
    private static void quote(Map<String, List<String>> quoted, String kind, String who, String violation) {
        List<String> list = quoted.computeIfAbsent(kind + "/" + who, k -> new ArrayList<>());
        if (list.size() < QUOTED) {
            list.add(kind + ": " + violation);
        }
    }
}
