package io.meshgate.relay.testkit;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A clock that moves only when a test advances it. Safe to read on any thread (a drain's thread, a Hazelcast
 * partition thread) while the test advances it on its own.
 */
public final class ManualClock extends Clock {
    private final AtomicLong millis;

    /** Starts at 1,000,000 ms past the epoch. */
    public ManualClock() {
        this(1_000_000);
    }

    public ManualClock(long startMillis) {
        this.millis = new AtomicLong(startMillis);
    }

    public void advance(long ms) {
        millis.addAndGet(ms);
    }

    @Override
    public long millis() {
        return millis.get();
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }

    @Override
    public Instant instant() {
        return Instant.ofEpochMilli(millis.get());
    }
}
