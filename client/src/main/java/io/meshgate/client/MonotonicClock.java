package io.meshgate.client;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * The default clock: wall-clock time at start plus {@link System#nanoTime()} since, so intervals (backoff, "connected
 * for 60 s", ping silence) never jump when the system clock is set.
 */
final class MonotonicClock extends Clock {
    private final long startMillis = System.currentTimeMillis();
    private final long startNanos = System.nanoTime();

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return Clock.fixed(instant(), zone);
    }

    @Override
    public long millis() {
        return startMillis + (System.nanoTime() - startNanos) / 1_000_000;
    }

    @Override
    public Instant instant() {
        return Instant.ofEpochMilli(millis());
    }
}
