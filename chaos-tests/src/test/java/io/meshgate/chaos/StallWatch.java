package io.meshgate.chaos;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Tells an ack gap of the gateway from a pause of the JVM that measures it. The scenario's clients and their ack
 * clock run in the test JVM; when that JVM stops (a GC pause, safepoint, or the 2-core machine giving its threads
 * no CPU while a restarted node starts), every ack it records looks late, and {@link Workload#longestAckGap} would
 * blame the gateway. A daemon thread sleeps {@value #TICK_MS} ms at a time and records every wake-up later than
 * {@value #REPORT_MS} ms as a stall of the measuring JVM, in milliseconds since the workload started.
 *
 * <p>Threads: its own thread ({@code stall-watch}) records; {@link #stalls} may be read from any thread.
 */
final class StallWatch implements AutoCloseable {
    private static final long TICK_MS = 10;
    private static final long REPORT_MS = 100;
    /** Bound on what is kept; later stalls are counted but not listed. */
    private static final int MAX_KEPT = 1_000;

    private final long originNanos;
    private final List<long[]> stalls = new ArrayList<>();
    private final Thread thread;
    private volatile boolean running = true;

    StallWatch(long originNanos) {
        this.originNanos = originNanos;
        thread = new Thread(this::run, "stall-watch");
        thread.setDaemon(true);
        thread.setPriority(Thread.MAX_PRIORITY);
        thread.start();
    }

    private void run() {
        long before = System.nanoTime();
        while (running) {
            try {
                Thread.sleep(TICK_MS);
            } catch (InterruptedException e) {
                return;
            }
            long now = System.nanoTime();
            long lateMs = TimeUnit.NANOSECONDS.toMillis(now - before) - TICK_MS;
            if (lateMs > REPORT_MS) {
                synchronized (stalls) {
                    if (stalls.size() < MAX_KEPT) {
                        stalls.add(new long[] {TimeUnit.NANOSECONDS.toMillis(before - originNanos), lateMs});
                    }
                }
            }
            before = now;
        }
    }

    /** Every stall so far as {@code [startedAtMs, lengthMs]}, oldest first. */
    List<long[]> stalls() {
        synchronized (stalls) {
            return new ArrayList<>(stalls);
        }
    }

    /**
     * How much of the interval {@code [fromMs, toMs)} (since the workload started) the measuring JVM was stalled.
     */
    long stalledWithinMs(long fromMs, long toMs) {
        long total = 0;
        for (long[] s : stalls()) {
            long start = Math.max(fromMs, s[0]);
            long end = Math.min(toMs, s[0] + s[1]);
            total += Math.max(0, end - start);
        }
        return total;
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
    }
}
