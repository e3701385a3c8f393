package io.meshgate.relay.mesh;

/**
 * Heartbeat bookkeeping of one link: RTT (last sample and a smoothed value) and a damped up/down state. A link is
 * down after {@code downAfterMissed} intervals without an answer, and up again only after {@code upAfterGood}
 * answers in a row, so one late heartbeat under load does not flap it. Thread-safe by its monitor.
 */
final class LinkHealth {
    private final int downAfterMissed;
    private final int upAfterGood;
    private long lastNonce;
    private boolean awaitingAnswer;
    private int missedInARow;
    private int goodInARow;
    private boolean up;
    private long smoothedRttMicros = -1;

    LinkHealth(int downAfterMissed, int upAfterGood) {
        this.downAfterMissed = downAfterMissed;
        this.upAfterGood = upAfterGood;
    }

    /** A heartbeat is about to go out; the previous one counts as missed if it is still unanswered. */
    synchronized void sending(long nonce) {
        if (awaitingAnswer) {
            missedInARow++;
            goodInARow = 0;
            if (missedInARow >= downAfterMissed) {
                up = false;
            }
        }
        lastNonce = nonce;
        awaitingAnswer = true;
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
        if (!up && goodInARow >= upAfterGood) {
            up = true;
            return true;
        }
        return false;
    }

    synchronized boolean isUp() {
        return up;
    }

    synchronized void down() {
        up = false;
        goodInARow = 0;
    }

    /** Smoothed RTT in microseconds, or -1 before the first sample. */
    synchronized long rttMicros() {
        return smoothedRttMicros;
    }
}
