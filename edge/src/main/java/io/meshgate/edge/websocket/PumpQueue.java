package io.meshgate.edge.websocket;

import org.xnio.ChannelPipe;
import org.xnio.IoUtils;
import org.xnio.XnioIoThread;
import org.xnio.channels.StreamSinkChannel;
import org.xnio.channels.StreamSourceChannel;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The sockets of one I/O thread that have frames queued and no write under way, pumped by one task. A feed thread
 * hands one message to every subscriber of a channel in a loop; queuing a task on the I/O thread for each of them
 * costs a task, a selector wake-up and XNIO's trace-level log call per delivery (with 100-subscriber channels, the
 * log call alone was a seventh of the node's CPU samples). Here the first socket of a burst queues the task and the
 * rest join it. One task pumps for at most {@link #TURN_NANOS}, then lets the thread select (read) before it goes
 * on.
 *
 * <p>Replies go first. A socket that was idle when a reply to its client's own request arrived (a publisher's
 * {@code ack}) is pumped ahead of the fan-out waiting here ({@link #scheduleReply}): with 5,000 subscriber sockets
 * per thread waiting, a pass over them takes tens of milliseconds, and the ack would wait that long for nothing it
 * is ordered against. Replies come only from clients' own requests, which their limits bound, so they cannot keep
 * fan-out waiting.
 *
 * <p>Threads: {@link #schedule} and {@link #scheduleReply} from any thread (a feed, a publish completion, the I/O
 * thread itself); the pumps run on the I/O thread. A socket is in one of the two lanes at most once (its
 * {@link WsConnection} schedules only when no pump of its own is pending), so they hold at most one entry per socket
 * of the thread.
 */
final class PumpQueue {
    /**
     * Pumping one task does before its I/O thread selects again, so a socket of the thread (a publisher's) waits at
     * most about this long to be read while fan-out lasts. Measured with the wire bench (README, "publishing under
     * fan-out"): 20 ms cut 100 x 100's ack p50 at 2,000 msg/s from 591–1,379 ms to 119–183 ms and kept one channel x
     * 1,000 subscribers passing 4,000 msg/s; 2 and 5 ms made that channel fall behind at 2,000 msg/s (a pause costs a
     * select, and pumps that wait fill the subscribers' queues sooner).
     */
    static final long TURN_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(PumpQueue.class);
    private static final byte[] WAKE_BYTE = {1};

    private final XnioIoThread thread;
    /** I/O thread only: the write end of the pipe that wakes the thread's select, made on the first pause. */
    private StreamSinkChannel wake;
    /** I/O thread only. */
    private final ByteBuffer drain = ByteBuffer.allocate(64);
    private final ConcurrentLinkedQueue<Runnable> pending = new ConcurrentLinkedQueue<>();
    /** Pumps of sockets that got a reply while idle: taken before any of {@link #pending}. */
    private final ConcurrentLinkedQueue<Runnable> replies = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean taskQueued = new AtomicBoolean();

    private PumpQueue(XnioIoThread thread) {
        this.thread = thread;
    }

    /** Runs {@code pump} on the I/O thread soon, in one task with the other pumps scheduled meanwhile. */
    void schedule(Runnable pump) {
        pending.add(pump);
        if (taskQueued.compareAndSet(false, true)) {
            thread.execute(this::runPending);
        }
    }

    /** Runs {@code pump} on the I/O thread soon, ahead of every pump {@link #schedule}d and not yet run. */
    void scheduleReply(Runnable pump) {
        replies.add(pump);
        if (taskQueued.compareAndSet(false, true)) {
            thread.execute(this::runPending);
        }
    }

    /** I/O thread: the next pump, replies first; null when none waits. */
    private Runnable next() {
        Runnable reply = replies.poll();
        return reply != null ? reply : pending.poll();
    }

    private boolean isEmpty() {
        return replies.isEmpty() && pending.isEmpty();
    }

    /**
     * I/O thread. The flag stays up while pumps run, so pumps added meanwhile join this task instead of queuing one
     * of their own; it drops only once the queue was seen empty, and a pump that slipped in just before it dropped
     * is taken here (a pump added after it dropped queues a task itself): none waits for a task that is not coming.
     */
    private void runPending() {
        long until = System.nanoTime() + TURN_NANOS;
        while (true) {
            Runnable pump;
            while ((pump = next()) != null) {
                pump.run();
                if (System.nanoTime() - until > 0 && !isEmpty()) {
                    // Feeds keep adding pumps while this runs, and XNIO runs queued tasks until none is left before
                    // it selects: without a pause here the thread would read none of its sockets (a publisher's
                    // pub) for as long as fan-out lasts. The rest goes on after the next select; the flag stays up.
                    continueAfterSelect();
                    return;
                }
            }
            taskQueued.set(false);
            if (isEmpty() || !taskQueued.compareAndSet(false, true)) {
                return;
            }
        }
    }

    /**
     * I/O thread. Has {@link #runPending} run again right after the thread's next select: a byte written to a pipe
     * whose read end is this thread's makes that select return at once (a task would run before it, and a delayed
     * task would leave the thread idle in select when no socket is ready).
     */
    private void continueAfterSelect() {
        try {
            if (wake == null) {
                ChannelPipe<StreamSourceChannel, StreamSinkChannel> pipe = thread.createHalfDuplexPipe();
                pipe.getLeftSide().getReadSetter().set((StreamSourceChannel source) -> {
                    int read;
                    try {
                        do {
                            read = source.read(drain.clear()); // a byte per pause; there is nothing in them
                        } while (read > 0);
                    } catch (IOException e) {
                        LOG.debug("pump wake pipe failed: {}", e.toString());
                        read = -1;
                    }
                    if (read < 0) {
                        // A pipe that ended would be reported readable on every select: drop it, the next pause
                        // makes another.
                        IoUtils.safeClose(source);
                        IoUtils.safeClose(wake);
                        wake = null;
                    }
                    runPending();
                });
                pipe.getLeftSide().resumeReads();
                wake = pipe.getRightSide();
            }
            if (wake.write(ByteBuffer.wrap(WAKE_BYTE)) == 1) {
                return;
            }
        } catch (IOException e) {
            LOG.debug("pump wake pipe failed, going on after a delay: {}", e.toString());
        }
        thread.executeAfter(this::runPending, 1, TimeUnit.MILLISECONDS);
    }

    /** One queue per I/O thread of a node's WebSocket endpoint (a handful: one per core by default). */
    static final class PerThread {
        private final Map<XnioIoThread, PumpQueue> queues = new ConcurrentHashMap<>();

        PumpQueue of(XnioIoThread thread) {
            return queues.computeIfAbsent(thread, PumpQueue::new);
        }
    }
}
