package io.meshgate.relay.mesh;

import org.slf4j.Logger;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Says in the log when a durability store took long, on both of its sides (the home waiting for {@code Stored}, the
 * region storing the delivery), so that an ack gap can be traced to the region and the side that held it. At most
 * one line per {@value #QUIET_MS} ms per side, with how many more were slow in between; a store is slow from
 * {@value #SLOW_MS} ms.
 *
 * <p>Threads: {@link #done} may be called from any thread (Hazelcast, conductor, timer).
 */
final class SlowStoreLog {
    static final long SLOW_MS = 300;
    private static final long QUIET_MS = 1_000;

    private final Logger log;
    private final String side;
    private final AtomicLong lastLoggedNanos = new AtomicLong(System.nanoTime() - TimeUnit.MILLISECONDS.toNanos(QUIET_MS));
    private final AtomicLong unlogged = new AtomicLong();

    SlowStoreLog(Logger log, String side) {
        this.log = log;
        this.side = side;
    }

    /** A store that began at {@code startNanos} ({@link System#nanoTime}) has ended. */
    void done(long startNanos, String region, String channel, Object outcome) {
        long now = System.nanoTime();
        long tookMs = TimeUnit.NANOSECONDS.toMillis(now - startNanos);
        if (tookMs < SLOW_MS) {
            return;
        }
        long last = lastLoggedNanos.get();
        if (now - last < TimeUnit.MILLISECONDS.toNanos(QUIET_MS) || !lastLoggedNanos.compareAndSet(last, now)) {
            unlogged.incrementAndGet();
            return;
        }
        log.info("slow durability store ({}): region {}, channel {}, {} ms, {} ({} more slow since the last line)",
                side, region, channel, tookMs, outcome, unlogged.getAndSet(0));
    }
}
