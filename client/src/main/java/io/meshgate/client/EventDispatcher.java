package io.meshgate.client;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The client's event thread: runs the application's callbacks and completes its futures, one at a time, in the
 * order the conductor handed them over, so a slow callback never holds up the protocol.
 *
 * <p>Bounds: messages and gaps count against {@code highWater}; at it, {@link #hasRoom()} turns false and the
 * conductor stops reading from the network (the server then holds messages in its history, or closes a reader that
 * stays slow with 4008, after which the client resumes from its position). Nothing is dropped: a connection in
 * flight can add at most one long-poll answer (1,000) or a few WebSocket frames more. Completions of publishes are
 * bounded by the outbox. State and region notices are bounded by {@value #NOTICES_MAX}; beyond that (the
 * application's callbacks are stuck) new notices are dropped with a warning, while {@link MeshgateClient#state()}
 * stays current.
 */
final class EventDispatcher {
    private static final Logger LOG = LoggerFactory.getLogger(EventDispatcher.class);
    static final int NOTICES_MAX = 1_000;
    private static final Runnable STOP = () -> { };

    private final LinkedBlockingQueue<Runnable> queue = new LinkedBlockingQueue<>();
    private final AtomicInteger messages = new AtomicInteger();
    private final AtomicInteger notices = new AtomicInteger();
    private final int highWater;
    private final int lowWater;
    private final Runnable onRoom;
    private final Thread thread;
    private volatile boolean roomWanted;

    /** @param onRoom called (on this thread) when the backlog fell back below half of {@code highWater} */
    EventDispatcher(String threadName, int highWater, Runnable onRoom) {
        this.highWater = highWater;
        this.lowWater = highWater / 2;
        this.onRoom = onRoom;
        this.thread = new Thread(this::run, threadName);
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * True while the backlog of messages is below the high-water mark. When false, {@code onRoom} is called once it
     * has drained to the low-water mark.
     */
    boolean hasRoom() {
        if (messages.get() < highWater) {
            return true;
        }
        roomWanted = true;
        // Re-read after raising the flag: the backlog may have drained in between, and then nobody would call onRoom.
        return messages.get() < highWater;
    }

    /** A message or gap for the application; counts against the high-water mark. */
    void message(Runnable delivery) {
        messages.incrementAndGet();
        queue.add(() -> {
            try {
                delivery.run();
            } finally {
                if (messages.decrementAndGet() <= lowWater && roomWanted) {
                    roomWanted = false;
                    onRoom.run();
                }
            }
        });
    }

    /** A completion that must not be lost (a publish's ack or refusal, a subscription's answer). */
    void completion(Runnable completion) {
        queue.add(completion);
    }

    /** A state or region notice; dropped when {@value #NOTICES_MAX} are already waiting. */
    void notice(Runnable notice) {
        if (notices.incrementAndGet() > NOTICES_MAX) {
            notices.decrementAndGet();
            LOG.warn("{}: {} notices wait for the application's callbacks; dropping one", thread.getName(),
                    NOTICES_MAX);
            return;
        }
        queue.add(() -> {
            notices.decrementAndGet();
            notice.run();
        });
    }

    boolean isEventThread() {
        return Thread.currentThread() == thread;
    }

    /** Runs what is queued, then ends the thread; waits up to {@code waitMs} unless called on the thread itself. */
    void stop(long waitMs) {
        queue.add(STOP);
        if (isEventThread()) {
            return;
        }
        try {
            thread.join(waitMs);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        while (true) {
            Runnable next;
            try {
                next = queue.poll(1, TimeUnit.DAYS);
            } catch (InterruptedException e) {
                return;
            }
            if (next == STOP) {
                return;
            }
            if (next == null) {
                continue;
            }
            try {
                next.run();
            } catch (RuntimeException | Error e) {
                // The application's callback threw: log it and keep delivering to everyone else.
                LOG.error("{}: an application callback threw", thread.getName(), e);
            }
        }
    }
}
