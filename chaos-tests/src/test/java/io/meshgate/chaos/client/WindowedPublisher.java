package io.meshgate.chaos.client;

import io.meshgate.client.Ack;
import io.meshgate.client.MeshgateClient;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * Publishes {@code count} messages through the client with at most {@code window} unacknowledged, and records each
 * ack's seq by id. Retrying after a disconnect, with the same id, is the client's job (its outbox); a publish the
 * client gives up on is recorded as a failure.
 */
public final class WindowedPublisher implements AutoCloseable {
    private final MeshgateClient client;
    private final Map<String, Long> acked = new ConcurrentHashMap<>();
    private final List<Throwable> failures = new ArrayList<>();
    private final Thread thread;
    private final AtomicInteger issued = new AtomicInteger();
    private volatile boolean stopped;

    public WindowedPublisher(MeshgateClient client, String channel, int count, int window) {
        this(client, channel, count, window, 0, ack -> { });
    }

    /**
     * As above, and at most one publish every {@code intervalMs} (0: as fast as the window allows); {@code onAck} is
     * called with every ack, on the client's event thread.
     */
    public WindowedPublisher(MeshgateClient client, String channel, int count, int window, long intervalMs,
                             Consumer<Ack> onAck) {
        this.client = client;
        client.connect();
        Semaphore unacked = new Semaphore(window);
        this.thread = new Thread(() -> {
            long next = System.nanoTime();
            for (int n = 0; n < count && !stopped; n++) {
                next += TimeUnit.MILLISECONDS.toNanos(intervalMs);
                LockSupport.parkNanos(next - System.nanoTime());
                try {
                    unacked.acquire();
                } catch (InterruptedException e) {
                    return;
                }
                issued.incrementAndGet();
                client.publish(channel, Map.of("n", n)).whenComplete((ack, error) -> {
                    if (ack != null) {
                        acked.put(ack.id(), ack.seq());
                        onAck.accept(ack);
                    } else {
                        synchronized (failures) {
                            failures.add(error);
                        }
                    }
                    unacked.release();
                });
            }
        }, "publisher-" + client.clientId());
        thread.setDaemon(true);
        thread.start();
    }

    public int ackedCount() {
        return acked.size();
    }

    /** Publishes handed to the client that have no ack yet (waiting in its outbox, or failed). */
    public int unacked() {
        return issued.get() - acked.size();
    }

    /** Publishes handed to the client so far. */
    public int issued() {
        return issued.get();
    }

    /** Publishes nothing new; what was handed to the client goes on being retried until acked. */
    public void stopIssuing() {
        stopped = true;
    }

    public Map<String, Long> acked() {
        return Map.copyOf(acked);
    }

    public List<Throwable> failures() {
        synchronized (failures) {
            return new ArrayList<>(failures);
        }
    }

    @Override
    public void close() {
        stopped = true;
        thread.interrupt();
        client.close();
    }
}
