package io.meshgate.relay.mesh;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * The mesh leader's one thread, {@code mesh-conductor-<region>}. Link and channel-home state (which links are
 * open and up, the {@link Liveness} view, pending link requests) changes only on it: gRPC transport threads, the
 * timer and Hazelcast completions hand their work over with {@link #frame} or {@link #event} and return at once.
 * Nothing that runs here blocks: Hazelcast calls start asynchronously (or run on the worker) and their completions
 * come back here.
 *
 * <p>Bound: at most {@code maxFrames} inbound frames (and forwarded requests) wait; beyond, {@link #frame} refuses
 * one and counts it in {@code meshgate.mesh.conductor.dropped}, which the mesh treats like a frame lost on the
 * wire (its request times out and is retried by id; a replica fetches the hole). Lifecycle events (a link opening
 * or closing, a heartbeat round, a reply) are never refused: there are at most a few per link and request.
 *
 * <p>It also says whether it is stuck ({@link #stuckFor}): one task running for long, as opposed to many waiting.
 * Heartbeats are answered ahead of it while it merely has a backlog, and no more once it is stuck.
 */
final class Conductor implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Conductor.class);

    private final ExecutorService thread;
    private final int maxFrames;
    private final AtomicInteger waitingFrames = new AtomicInteger();
    private final Counter dropped;
    private final LongSupplier nanoTime;
    /** When the task running now started (by {@link #nanoTime}); {@link #IDLE} between tasks. */
    private volatile long taskStartedNanos = IDLE;
    private static final long IDLE = Long.MIN_VALUE;

    /** @param nanoTime the monotonic clock {@link #stuckFor} measures a task's run by */
    Conductor(String region, int maxFrames, MeterRegistry meters, LongSupplier nanoTime) {
        this.maxFrames = maxFrames;
        this.nanoTime = nanoTime;
        this.dropped = Counter.builder("meshgate.mesh.conductor.dropped")
                .description("mesh frames and forwards dropped because too many waited for the mesh leader's conductor")
                .register(meters);
        this.thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "mesh-conductor-" + region);
            t.setDaemon(true);
            return t;
        });
    }

    /** Runs an inbound frame's work on the conductor; false (and counted) when {@code maxFrames} already wait. */
    boolean frame(Runnable work) {
        if (waitingFrames.incrementAndGet() > maxFrames) {
            waitingFrames.decrementAndGet();
            dropped.increment();
            return false;
        }
        return submit(() -> {
            waitingFrames.decrementAndGet();
            work.run();
        });
    }

    /** Runs a lifecycle event or a completion on the conductor; never refused while running. */
    void event(Runnable work) {
        submit(work);
    }

    private boolean submit(Runnable work) {
        try {
            thread.execute(() -> {
                taskStartedNanos = nanoTime.getAsLong();
                try {
                    work.run();
                } catch (RuntimeException e) {
                    // One bad frame or event must not stop the thread every link depends on.
                    LOG.warn("mesh conductor task failed", e);
                } finally {
                    taskStartedNanos = IDLE;
                }
            });
            return true;
        } catch (RejectedExecutionException stopped) {
            return false;
        }
    }

    /** Any thread: true when the task running now has run for at least {@code ms}. */
    boolean stuckFor(long ms) {
        long started = taskStartedNanos;
        return started != IDLE && nanoTime.getAsLong() - started >= ms * 1_000_000L;
    }

    /** Stops taking work; what is queued still runs. */
    @Override
    public void close() {
        thread.shutdown();
    }
}
