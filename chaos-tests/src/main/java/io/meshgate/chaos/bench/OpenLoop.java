package io.meshgate.chaos.bench;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The open-loop publishing schedule: message {@code i} is due at {@code start + i / rate}; the calling thread sleeps
 * until it is due and sends it, or sends at once when behind, and never waits for answers. Latency is measured from
 * the due time, so a late publisher shows up as latency (no coordinated omission). {@code start} is 100 ms after the
 * schedule is made, so callers can derive their measurement window from it before sending begins.
 */
final class OpenLoop {
    /** Sends message {@code i}, due at {@code dueNanos} ({@link System#nanoTime()}). */
    interface Send {
        void send(int i, long dueNanos);
    }

    private final double intervalNanos;
    private final long start;
    private final long hardEnd;

    OpenLoop(double ratePerSecond, int durationS) {
        this.intervalNanos = 1e9 / ratePerSecond;
        this.start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(100);
        this.hardEnd = start + TimeUnit.SECONDS.toNanos(durationS + 5L);
    }

    long start() {
        return start;
    }

    /**
     * Sends {@code total} messages on schedule; stops early, with a line in {@code errors}, once it is 5 s past the
     * planned end because sending cannot keep up. Returns how many were sent.
     */
    long run(long total, List<String> errors, Send send) {
        long sent = 0;
        for (int i = 0; i < total; i++) {
            long due = start + (long) (i * intervalNanos);
            long wait;
            while ((wait = due - System.nanoTime()) > 0) {
                LockSupport.parkNanos(wait);
            }
            if (System.nanoTime() > hardEnd) {
                errors.add("publisher fell behind: stopped after " + sent + " of " + total + " messages");
                break;
            }
            send.send(i, due);
            sent++;
        }
        return sent;
    }
}
