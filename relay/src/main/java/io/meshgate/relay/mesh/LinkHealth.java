package io.meshgate.relay.mesh;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Heartbeat bookkeeping of one link: RTT (last sample and a smoothed value) and a damped {@link LinkState}. A link
 * is down after {@code downAfterMissed} intervals without an answer, and up again only after {@code upAfterGood}
 * answers in a row, so one late heartbeat under load does not flap it. Every change of state is logged with its
 * reason.
 *
 * <p>A heartbeat counts as missed only when it had at least half an interval to be answered: heartbeat rounds run
 * on the leader's conductor, and after the conductor was held up (a burst of work on a loaded machine) rounds can
 * follow each other within microseconds. Counting those would turn one stall into several misses and a link that
 * answers in milliseconds into a dead one; such a round leaves the probe in flight and sends no new one.
 *
 * <p>Thread-safe by its monitor: heartbeats go out on the conductor, answers are taken on the transport thread they
 * arrive on (so a busy conductor does not make them late).
 */
final class LinkHealth {
    private static final Logger LOG = LoggerFactory.getLogger(LinkHealth.class);

    /** Where one link stands. Only {@link #UP} carries frames (see {@link Links#route}). */
    enum LinkState {
        /** Open, not yet answered {@code upAfterGood} heartbeats in a row. */
        CONNECTING,
        /** Answering heartbeats. */
        UP,
        /** Missed {@code downAfterMissed} heartbeats in a row; up again after {@code upAfterGood} answers. */
        DOWN
    }

    private final String peer;
    private final java.util.function.BiConsumer<String, LinkState> onMove;
    private final int downAfterMissed;
    private final int upAfterGood;
    /** How long a heartbeat must have been out before it may count as missed; 0: any time. */
    private final long minAnswerNanos;
    private long lastNonce;
    private long lastSentNanos;
    private boolean awaitingAnswer;
    private int missedInARow;
    private int goodInARow;
    private LinkState state = LinkState.CONNECTING;
    private long smoothedRttMicros = -1;

    /** @param peer the peer region, for the log */
    LinkHealth(String peer, int downAfterMissed, int upAfterGood) {
        this(peer, downAfterMissed, upAfterGood, (p, s) -> { });
    }

    /** @param onMove told (peer, new state) on every change of state, under this object's monitor */
    LinkHealth(String peer, int downAfterMissed, int upAfterGood,
               java.util.function.BiConsumer<String, LinkState> onMove) {
        this(peer, downAfterMissed, upAfterGood, 0, onMove);
    }

    /**
     * @param heartbeatMs the heartbeat interval: a heartbeat out for less than half of it is never counted missed
     * @param onMove      told (peer, new state) on every change of state, under this object's monitor
     */
    LinkHealth(String peer, int downAfterMissed, int upAfterGood, long heartbeatMs,
               java.util.function.BiConsumer<String, LinkState> onMove) {
        this.peer = peer;
        this.onMove = onMove;
        this.downAfterMissed = downAfterMissed;
        this.upAfterGood = upAfterGood;
        this.minAnswerNanos = heartbeatMs * 1_000_000L / 2;
    }

    /** A heartbeat is about to go out, with no minimum age for the previous one (tests of the counting). */
    synchronized void sending(long nonce) {
        sending(nonce, lastSentNanos + minAnswerNanos);
    }

    /**
     * A heartbeat is about to go out at {@code nowNanos}; the previous one counts as missed if it is still
     * unanswered. Returns false, and changes nothing, when the previous one is unanswered but has been out for less
     * than half an interval: then it stays the probe in flight and the caller sends none.
     */
    synchronized boolean sending(long nonce, long nowNanos) {
        // A connecting link probes on every answer (see LinkSupervisor), so a round often finds a probe in flight
        // that is not late at all: only an established or failed link counts misses.
        if (awaitingAnswer && state != LinkState.CONNECTING) {
            if (nowNanos - lastSentNanos < minAnswerNanos) {
                return false;
            }
            missedInARow++;
            goodInARow = 0;
            if (missedInARow >= downAfterMissed && state == LinkState.UP) {
                move(LinkState.DOWN, missedInARow + " heartbeats unanswered");
            }
        }
        lastNonce = nonce;
        lastSentNanos = nowNanos;
        awaitingAnswer = true;
        return true;
    }

    /** An answer came back; returns true when it turned the link up. */
    synchronized boolean answered(long nonce, long rttMicros) {
        if (nonce != lastNonce || !awaitingAnswer) {
            return false;
        }
        awaitingAnswer = false;
        missedInARow = 0;
        goodInARow++;
        smoothedRttMicros = smoothedRttMicros < 0 ? rttMicros : (smoothedRttMicros * 7 + rttMicros) / 8;
        if (state != LinkState.UP && goodInARow >= upAfterGood) {
            move(LinkState.UP, goodInARow + " heartbeats answered in a row, rtt " + rttMicros + " us");
            return true;
        }
        return false;
    }

    private void move(LinkState to, String reason) {
        LOG.info("mesh link to region {}: {} -> {} ({})", peer, state, to, reason);
        state = to;
        onMove.accept(peer, to);
    }

    /** True when the link is still connecting and its latest probe was answered: time for the next one. */
    synchronized boolean wantsProbe() {
        return state == LinkState.CONNECTING && !awaitingAnswer;
    }

    synchronized LinkState state() {
        return state;
    }

    synchronized boolean isUp() {
        return state == LinkState.UP;
    }

    synchronized void down() {
        if (state == LinkState.UP) {
            move(LinkState.DOWN, "taken down");
        }
        goodInARow = 0;
    }

    /** Smoothed RTT in microseconds, or -1 before the first sample. */
    synchronized long rttMicros() {
        return smoothedRttMicros;
    }
}
