package io.meshgate.client;

import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.Set;

/**
 * One subscription's resume point and duplicate filter. A message passes only when its {@code seq} is above the
 * position and its {@code id} is not among the last {@code recentIdsMax} passed: so a resume that overlaps what was
 * already handed over (a reconnect, a {@code move}, a long-poll answer repeated after a lost response) never delivers
 * anything twice or out of order. Owned by the conductor; not thread-safe.
 */
final class ChannelPosition {
    private final int recentIdsMax;
    private final ArrayDeque<String> recentOrder = new ArrayDeque<>();
    private final Set<String> recentIds = new HashSet<>();
    private String epoch;
    private long seq = -1;

    /** @param from where to start, or null to start at the head the server reports */
    ChannelPosition(Position from, int recentIdsMax) {
        if (recentIdsMax < 1) {
            throw new IllegalArgumentException("recentIdsMax must be >= 1");
        }
        this.recentIdsMax = recentIdsMax;
        if (from != null) {
            epoch = from.epoch();
            seq = from.seq();
        }
    }

    /** Null until the position is known (a subscription without {@code from}, before the server's first answer). */
    Position position() {
        return seq < 0 ? null : new Position(epoch, seq);
    }

    boolean known() {
        return seq >= 0;
    }

    /**
     * The server's head at subscribe time; adopted only when nothing is known yet, so a resubscribe after a reconnect
     * keeps the position of what was handed over.
     */
    void startAt(Position head) {
        if (!known()) {
            epoch = head.epoch();
            seq = head.seq();
        }
    }

    /** True, and the position moves to this message, when it is new; false for a repeat or an older message. */
    boolean accept(String messageEpoch, long messageSeq, String id) {
        if (!known() || messageSeq <= seq || recentIds.contains(id)) {
            return false;
        }
        epoch = messageEpoch;
        seq = messageSeq;
        recentIds.add(id);
        recentOrder.addLast(id);
        if (recentOrder.size() > recentIdsMax) {
            recentIds.remove(recentOrder.removeFirst());
        }
        return true;
    }

    /** A {@code gap} up to {@code to}: those messages are gone, so the next one expected is after it. */
    void skipTo(long to) {
        if (known() && to > seq) {
            seq = to;
        }
    }
}
