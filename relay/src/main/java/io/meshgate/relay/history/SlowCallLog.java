package io.meshgate.relay.history;

import org.slf4j.Logger;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Says in the log when one kind of call on a channel's path to its ack took long (a durability store on either of
 * its sides, the home's own sequencing and durable-mark calls), so that an ack gap can be traced to the call, the
 * region and the side that held it. At most one line per {@value #QUIET_MS} ms per instance, with how many more were
 * slow in between; a call is slow from {@value #SLOW_MS} ms. It only measures ({@link System#nanoTime}), it times
 * nothing out.
 *
 * <p>Threads: {@link #done} may be called from any thread (Hazelcast, conductor, timer).
 */
public final class SlowCallLog {
    static final long SLOW_MS = 300;
    private static final long QUIET_MS = 1_000;

    private final Logger log;
    private final String what;
    private final AtomicLong lastLoggedNanos = new AtomicLong(System.nanoTime() - TimeUnit.MILLISECONDS.toNanos(QUIET_MS));
    private final AtomicLong unlogged = new AtomicLong();

    /** @param what the call, as the log line names it ({@code "durability store (home waiting for Stored)"}) */
    public SlowCallLog(Logger log, String what) {
        this.log = log;
        this.what = what;
    }

    /**
     * A call on {@code channel} that began at {@code startNanos} ({@link System#nanoTime}) has ended; {@code outcome}
     * is asked only for a line that is written, so a fast call (every publish's path) builds no text.
     */
    public void done(long startNanos, String channel, Supplier<String> outcome) {
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
        log.info("slow {}: channel {}, {} ms, {} ({} more slow since the last line)",
                what, channel, tookMs, outcome.get(), unlogged.getAndSet(0));
    }
}
