package io.meshgate.chaos.bench;

import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/** The wait after publishing, until every answer and delivery is in: bounded by a time and by progress. */
final class DrainWait {
    private static final long NO_PROGRESS_STOP_NANOS = TimeUnit.SECONDS.toNanos(5);

    private DrainWait() {
    }

    /**
     * Polls every 50 ms until {@code done}, for at most {@code drainS} seconds, and gives up once {@code progress}
     * (a count that grows with every answer or delivery) has not moved for 5 s. Returns null when done, else why it
     * stopped waiting.
     */
    static String await(int drainS, BooleanSupplier done, LongSupplier progress) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(drainS);
        long lastProgress = System.nanoTime();
        long lastSeen = -1;
        while (System.nanoTime() < deadline) {
            if (done.getAsBoolean()) {
                return null;
            }
            long seen = progress.getAsLong();
            if (seen != lastSeen) {
                lastSeen = seen;
                lastProgress = System.nanoTime();
            } else if (System.nanoTime() - lastProgress > NO_PROGRESS_STOP_NANOS) {
                return "drain: no progress for 5 s; stopped waiting";
            }
            Sleep.millis(50);
        }
        return "drain: " + drainS + " s were not enough";
    }
}
