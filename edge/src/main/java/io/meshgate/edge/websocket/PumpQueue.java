package io.meshgate.edge.websocket;

import org.xnio.XnioIoThread;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The sockets of one I/O thread that have frames queued and no write under way, pumped by one task. A feed thread
 * hands one message to every subscriber of a channel in a loop; queuing a task on the I/O thread for each of them
 * costs a task, a selector wake-up and XNIO's trace-level log call per delivery (with 100-subscriber channels, the
 * log call alone was a seventh of the node's CPU samples). Here the first socket of a burst queues the task and the
 * rest join it.
 *
 * <p>Threads: {@link #schedule} from any thread (a feed, a publish completion, the I/O thread itself); the pumps run
 * on the I/O thread. A socket is in the queue at most once (its {@link WsConnection} schedules only when no pump of
 * its own is pending), so the queue holds at most one entry per socket of the thread.
 */
final class PumpQueue {
    private final XnioIoThread thread;
    private final ConcurrentLinkedQueue<Runnable> pending = new ConcurrentLinkedQueue<>();
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

    /**
     * I/O thread. The flag drops before the queue is read, so a pump added while this runs is either run here or
     * finds the flag down and queues a task of its own: none waits for a task that is not coming.
     */
    private void runPending() {
        taskQueued.set(false);
        Runnable pump;
        while ((pump = pending.poll()) != null) {
            pump.run();
        }
    }

    /** One queue per I/O thread of a node's WebSocket endpoint (a handful: one per core by default). */
    static final class PerThread {
        private final Map<XnioIoThread, PumpQueue> queues = new ConcurrentHashMap<>();

        PumpQueue of(XnioIoThread thread) {
            return queues.computeIfAbsent(thread, PumpQueue::new);
        }
    }
}
